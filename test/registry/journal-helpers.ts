/**
 * Helpers of the journal tests: temporary registry files, signed writes made
 * straight on a `Registry` (no HTTP), a store that lets a test await the
 * compactions the registry starts in the background, and synthetic listings.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  JsonFileRegistryStore,
  Registry,
  listingId,
  signAction,
  signListing,
  signRating,
  type Listing,
  type RegistryData,
  type RegistryStore,
} from '../../services/registry/index.js';
import { listingOf, nodeKeys, paidInvoice, type NodeKey } from '../security/registry-helpers.js';

/** The keys that sell, rate and pay in these tests. */
export const KEYS = nodeKeys(21, ['seller', 'other', 'a', 'b', 'c']);

/** A temporary directory per call, removed after each test of the file that calls `useTempDirs`. */
export function useTempDirs(): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'l402-journal-'));
    dirs.push(dir);
    return dir;
  };
}

/** A file store whose compactions a test can await (the registry starts them without waiting). */
export class WatchedFileStore extends JsonFileRegistryStore {
  readonly compactions: Promise<void>[] = [];

  override compact(state: () => RegistryData): Promise<void> {
    const run = super.compact(state);
    this.compactions.push(run);
    return run;
  }

  /** Resolves when every compaction started so far is done. */
  async settled(): Promise<void> {
    await Promise.all(this.compactions);
  }
}

/** The url of listing `n` of a seller: the same length for every n below 1,000. */
export const urlOf = (n: number): string => `http://shop${String(n).padStart(3, '0')}.test/v1/data`;

/** Signed writes on `registry` at `clock`'s time, failing the test when refused. */
export function writes(registry: Registry, clock: VirtualClock) {
  const ok = <R extends { ok: boolean }>(what: string, r: R): R => {
    if (!r.ok) throw new Error(`${what} refused: ${JSON.stringify(r)}`);
    return r;
  };
  return {
    /** Registers listing `n` of `key`; returns its id. */
    async register(key: NodeKey, n: number, priceMsat = 10_000): Promise<string> {
      const signed = await signListing(listingOf(key, urlOf(n), priceMsat), key.signer, clock.now());
      const r = ok('register', await registry.register(signed));
      return r.ok ? r.listing.id : '';
    },
    /** Reprices listing `n` of `key`. */
    async update(key: NodeKey, n: number, priceMsat: number): Promise<void> {
      const listing = listingOf(key, urlOf(n), priceMsat);
      const id = listingId(key.pubkey, listing.url);
      const signedAt = clock.now();
      const signature = await signAction({ action: 'update', id, listing, signedAt }, key.signer);
      ok('update', await registry.update(id, { listing, signedAt, signature }));
    },
    async remove(key: NodeKey, id: string): Promise<void> {
      const signedAt = clock.now();
      const signature = await signAction({ action: 'remove', id, signedAt }, key.signer);
      ok('remove', await registry.remove(id, { signedAt, signature }));
    },
    /** Rates listing `id` of `seller` with a fresh 10,000 msat invoice (preimage byte `n`) paid by `payer`. */
    async rate(id: string, seller: NodeKey, payer: NodeKey, n: number, score: number) {
      const proof = paidInvoice(seller, { timestampSec: Math.floor(clock.now() / 1000) }, n);
      return registry.rate(id, await signRating(id, { score, ...proof }, payer.signer, clock.now()));
    },
    async health(id: string, alive: boolean): Promise<void> {
      const at = clock.now();
      await registry.recordHealth(id, { alive, latencyMs: 7, checkedAt: at, failures: alive ? 0 : 1 });
    },
  };
}

/** `count` listings of `key` as a snapshot holds them (ids from their urls, no signatures: loading does not check them). */
export function syntheticListings(key: NodeKey, count: number, at: number): Listing[] {
  return Array.from({ length: count }, (_, i) => {
    const url = `http://bulk.test/v1/item/${String(i).padStart(6, '0')}`;
    return {
      ...listingOf(key, url),
      id: listingId(key.pubkey, url),
      createdAt: at,
      updatedAt: at,
      signedAt: at,
    };
  });
}

/** The snapshot file at `path`, parsed; undefined when there is none. */
export async function snapshotAt(path: string): Promise<RegistryData | undefined> {
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as RegistryData) : undefined;
}

/**
 * Opens a registry on a copy, in `dir`, of the snapshot at `file` and its journal as they are now:
 * what a restart would load, while the registry on `file` still runs and holds the file's lock.
 */
export async function openCopy(
  file: string,
  dir: string,
  clock: VirtualClock,
  logger?: Parameters<typeof Registry.open>[0]['logger'],
) {
  const copy = join(dir, 'registry.json');
  for (const [from, to] of [
    [file, copy],
    [`${file}.journal`, `${copy}.journal`],
  ] as const)
    if (existsSync(from)) await copyFile(from, to);
  return openOn(new JsonFileRegistryStore(copy), clock, logger);
}

/** Opens a registry on `store` at `clock`. */
export function openOn(
  store: RegistryStore,
  clock: VirtualClock,
  logger?: Parameters<typeof Registry.open>[0]['logger'],
) {
  return Registry.open({ clock, network: 'regtest', store, ...(logger ? { logger } : {}) });
}

export type { NodeKey };
