/**
 * The seller's `--registry` registration (services/sellers/registration.ts)
 * against a real registry over real HTTP: a registry that cannot take it yet
 * (store unavailable, 503; nothing listening) is retried on the back-off
 * 1 s, 2 s, 4 s, 8 s, 15 s, 15 s, 15 s, with one line per failed attempt,
 * then given up; a stop ends the retries; a refusal is final; and a listing
 * left over from an earlier run is found and updated however many listings
 * the registry holds. The back-off runs on a virtual clock the test moves
 * (the registry and the client read the same clock), so no test waits a minute.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import {
  MemoryRegistryStore,
  Registry,
  RegistryClient,
  createRegistryApp,
  emptyRegistryData,
  listingId,
  startRegistryServer,
  type Listing,
  type ListingFields,
} from '../../services/registry/index.js';
import { registerWithRetry, type Unlist } from '../../services/sellers/registration.js';
import { listingOf } from '../security/registry-helpers.js';
import { startRegistryOnDisk } from '../registry/disk-fixture.js';
import { KEYS, useTempDirs } from '../registry/journal-helpers.js';

const tempDir = useTempDirs();
const closing: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of closing.splice(0)) await c.close();
});

const URL_1 = 'http://shop.test/v1/data';
const LISTING = listingOf(KEYS.seller, URL_1);
const ID = listingId(KEYS.seller.pubkey, URL_1);

/** The lines a registration printed (`out: …`, `err: …`), and a wait for the next one. */
function lineRecorder() {
  const lines: string[] = [];
  let wake = () => {};
  const push = (line: string) => {
    lines.push(line);
    wake();
  };
  return {
    lines,
    io: { out: (l: string) => push(`out: ${l}`), err: (l: string) => push(`err: ${l}`) },
    /** Resolves once `n` lines have been printed. */
    async waitLines(n: number): Promise<string[]> {
      while (lines.length < n) await new Promise<void>((resolve) => (wake = resolve));
      return lines;
    },
  };
}

/** Starts the registration of `listing` at `registry` on `clock`; `stop` aborts it as the seller's stop does. */
function startRegistration(registry: string, clock: VirtualClock, listing: ListingFields = LISTING) {
  const rec = lineRecorder();
  const stopping = new AbortController();
  const client = new RegistryClient({ baseUrl: registry, fetch: (r) => fetch(r), clock });
  const deps = { io: rec.io, registry, client, signer: KEYS.seller.signer, clock, stopping };
  const done = registerWithRetry({ ...deps, stopping: stopping.signal }, listing);
  return { rec, done, stop: () => stopping.abort() };
}

/** Moves `clock` past each announced wait ("retrying in N s") until the registration ends. */
async function driveRetries(
  clock: VirtualClock,
  run: ReturnType<typeof startRegistration>,
): Promise<Unlist | undefined> {
  let ended = false;
  const done = run.done.finally(() => (ended = true));
  for (let seen = 1; !ended; seen++) {
    const line = await Promise.race([run.rec.waitLines(seen).then((l) => l[seen - 1]!), done]);
    const wait = typeof line === 'string' ? /retrying in (\d+) s$/.exec(line) : null;
    if (wait) await clock.advance(Number(wait[1]) * 1000);
  }
  return done;
}

/** A registry server on a file store in `<dir>/data`, on `clock`, whose disk can be made to fail (503) and mended. */
async function registryOnDisk(clock: VirtualClock) {
  const disk = await startRegistryOnDisk(await tempDir(), clock);
  closing.push(disk.server);
  return disk;
}

/** A loopback URL nothing listens on (connections to it are refused). */
async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const UNAVAILABLE = 'store_unavailable: the registry could not save the change; retry';
const REFUSED = 'unreachable: registry unreachable: fetch failed';

describe('seller registration retries a registry that cannot take it yet', () => {
  it('a 503 store_unavailable is retried after 1 s, and the registration lands once the store works', async () => {
    const clock = new VirtualClock();
    const reg = await registryOnDisk(clock);
    await reg.breakDisk();
    const run = startRegistration(reg.server.url, clock);
    await run.rec.waitLines(1);
    await reg.mendDisk();
    const unlist = await driveRetries(clock, run);

    const at = reg.server.url;
    expect(run.rec.lines).toEqual([
      `err: registration at ${at} failed (attempt 1 of 8): ${UNAVAILABLE}; retrying in 1 s`,
      `out: registered as ${ID} at ${at}`,
    ]);
    expect((await fetch(`${at}/listings/${ID}`)).status).toBe(200);
    expect(await unlist!()).toEqual({ ok: true, line: `listing ${ID} removed from ${at}` });
  });

  it('a registry nobody answers at is tried 8 times over 60 s of back-off (1, 2, 4, 8, 15, 15, 15 s), one line per attempt, then given up with a final line', async () => {
    const clock = new VirtualClock();
    const at = await deadUrl();
    const start = clock.now();
    const run = startRegistration(at, clock);

    expect(await driveRetries(clock, run)).toBeUndefined();
    expect(clock.now() - start).toBe(60_000);
    const waits = [1, 2, 4, 8, 15, 15, 15];
    expect(run.rec.lines).toEqual([
      ...waits.map(
        (s, i) => `err: registration at ${at} failed (attempt ${i + 1} of 8): ${REFUSED}; retrying in ${s} s`,
      ),
      `err: registration at ${at} failed (attempt 8 of 8): ${REFUSED}`,
      `err: registration at ${at} given up after 8 attempts over 60 s; the seller keeps serving, unlisted: restart it once the registry is up`,
    ]);
  });

  it('a stop during the back-off ends the retries at once: no attempt after it, nothing listed once the store works', async () => {
    const clock = new VirtualClock();
    const reg = await registryOnDisk(clock);
    await reg.breakDisk();
    const run = startRegistration(reg.server.url, clock);
    await run.rec.waitLines(1);
    run.stop();

    expect(await run.done).toBeUndefined();
    await reg.mendDisk();
    await clock.advance(60_000);
    expect(run.rec.lines).toEqual([
      `err: registration at ${reg.server.url} failed (attempt 1 of 8): ${UNAVAILABLE}; retrying in 1 s`,
    ]);
    expect(reg.server.registry.all()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('a refusal (400 forbidden_address) from a registry that came up during the back-off ends the retries, reported once', async () => {
    const clock = new VirtualClock();
    const at = await deadUrl();
    const loopback = 'http://127.0.0.1:9/v1/data'; // a registry without --lab does not list it
    const run = startRegistration(at, clock, listingOf(KEYS.seller, loopback));
    await run.rec.waitLines(1);
    const port = Number(new URL(at).port);
    closing.push(await startRegistryServer({ clock, network: 'regtest', port, probeIntervalMs: 0 }));

    expect(await driveRetries(clock, run)).toBeUndefined();
    await clock.advance(60_000);
    expect(run.rec.lines).toEqual([
      `err: registration at ${at} failed (attempt 1 of 8): ${REFUSED}; retrying in 1 s`,
      `err: registration at ${at} failed: forbidden_address: listing url ${loopback}: address 127.0.0.1 is not allowed (public policy); a registry for sellers on this machine or network runs with --lab`,
    ]);
  });
});

describe('seller registration of a listing left from an earlier run', () => {
  /** A registry over HTTP holding this seller's old listing and, newer than it, 1,000 listings of another node. */
  async function crowdedRegistry(clock: VirtualClock): Promise<Listening & { registry: Registry }> {
    const old = clock.now() - 60_000;
    const mine: Listing = { ...LISTING, id: ID, createdAt: old, updatedAt: old, signedAt: old };
    const others = Array.from({ length: 1000 }, (_, i): Listing => {
      const fields = listingOf(KEYS.other, `${URL_1}/${i}`);
      const at = old + 1 + i;
      return {
        ...fields,
        id: listingId(KEYS.other.pubkey, fields.url),
        createdAt: at,
        updatedAt: at,
        signedAt: at,
      };
    });
    const store = new MemoryRegistryStore();
    await store.save({ ...emptyRegistryData(), listings: [mine, ...others] });
    const registry = await Registry.open({ clock, network: 'regtest', store });
    const http = await listen(createRegistryApp(registry).fetch);
    closing.push(http);
    return { ...http, registry };
  }

  it('among 1,001 listings (its own the oldest) it is found by its id and updated', async () => {
    const clock = new VirtualClock();
    const http = await crowdedRegistry(clock);
    const repriced = listingOf(KEYS.seller, URL_1, 7_000);
    const run = startRegistration(http.url, clock, repriced);

    const unlist = await driveRetries(clock, run);
    expect(run.rec.lines).toEqual([`out: registered as ${ID} at ${http.url}`]);
    expect(http.registry.get(ID)?.tiers).toEqual(repriced.tiers);
    expect(http.registry.all().length).toBe(1001);
    // What it hands back removes that same listing on exit.
    expect(await unlist!()).toEqual({ ok: true, line: `listing ${ID} removed from ${http.url}` });
    expect(http.registry.all().length).toBe(1000);
  });
});
