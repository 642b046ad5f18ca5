/**
 * The seller CLI's `--registry`: registers the signed listing, retrying while
 * the registry cannot take it yet, and hands back how to remove it on exit.
 */
import type { Clock } from '../../infra/time/clock.js';
import type { ClientFailure, RegistryClient } from '../registry/client.js';
import { listingId } from '../registry/signed-writes.js';
import type { Signer } from '../registry/signing.js';
import type { ListingFields } from '../registry/types.js';

/** Where the seller's lines go: stdout and stderr in the CLI. */
export interface SellerIo {
  out(line: string): void;
  err(line: string): void;
}

/** Removes the listing on exit: resolves to what became of it, for the line the seller prints as it stops. */
export type Unlist = () => Promise<{ ok: boolean; line: string }>;

/**
 * Waits between attempts while the registry cannot take the registration yet:
 * 1 s, doubling up to 15 s, for 60 s of waiting in all (8 attempts).
 */
export const REGISTRATION_RETRY = { firstMs: 1_000, maxMs: 15_000, totalMs: 60_000 } as const;

/** The waits of a back-off: `firstMs`, doubling up to `maxMs`, as many as fit in `totalMs`. */
export function retryWaits(r: { firstMs: number; maxMs: number; totalMs: number }): number[] {
  const waits: number[] = [];
  for (let w = r.firstMs, sum = 0; sum + w <= r.totalMs; w = Math.min(w * 2, r.maxMs)) {
    waits.push(w);
    sum += w;
  }
  return waits;
}

/**
 * A failure that may pass: no answer (refused, reset, timed out), any 503
 * (the registry's store or name lookup unavailable, or a gateway's), a
 * gateway without a registry behind it (502, 504), an answer cut short. Anything else (a 4xx: bad signature, invalid listing) is
 * the registry's final word.
 */
export function isTransient(f: ClientFailure): boolean {
  return [0, 502, 503, 504].includes(f.status) || f.code === 'too_slow' || f.code === 'unreadable';
}

/** What a registration needs: the registry (its URL names it in lines), the node's signer and the clock it waits on. */
export interface RegistrationDeps {
  io: SellerIo;
  registry: string;
  client: RegistryClient;
  signer: Signer;
  clock: Clock;
  /** Aborted when the seller stops: no attempt starts after it, a wait ends at once. */
  stopping: AbortSignal;
}

/**
 * Registers `listing` (or updates it, when this node listed this url before
 * and never removed it), retrying transient failures on `REGISTRATION_RETRY`,
 * one line per failed attempt; resolves to how to remove it, or undefined
 * when it is not listed (refused, given up, or the seller stopped first).
 */
export async function registerWithRetry(
  d: RegistrationDeps,
  listing: ListingFields,
): Promise<Unlist | undefined> {
  const waits = retryWaits(REGISTRATION_RETRY);
  const attempts = waits.length + 1;
  for (let attempt = 1; ; attempt++) {
    const r = await registerOnce(d, listing);
    if (r.ok) {
      d.io.out(`registered as ${r.listing.id} at ${d.registry}`);
      return unlister(d, r.listing.id);
    }
    const why = `${r.code}: ${r.message}`;
    if (!isTransient(r)) return void d.io.err(`registration at ${d.registry} failed: ${why}`);
    const failed = `registration at ${d.registry} failed (attempt ${attempt} of ${attempts}): ${why}`;
    if (d.stopping.aborted) return void d.io.err(`${failed}; not retried: the seller is stopping`);
    const wait = waits[attempt - 1];
    if (wait === undefined) {
      d.io.err(failed);
      const waited = waits.reduce((a, b) => a + b, 0) / 1000;
      return void d.io.err(
        `registration at ${d.registry} given up after ${attempts} attempts over ${waited} s; the seller keeps serving, unlisted: restart it once the registry is up`,
      );
    }
    d.io.err(`${failed}; retrying in ${wait / 1000} s`);
    if (!(await pause(d.clock, wait, d.stopping))) return undefined;
  }
}

/**
 * One attempt: register; a listing this node already has at this url is updated instead. The
 * client does not retry it (`retries: 0`): the back-off above does, one line per attempt.
 */
async function registerOnce(d: RegistrationDeps, listing: ListingFields) {
  const r = await d.client.register(listing, d.signer, ONE_ATTEMPT);
  if (r.ok || r.code !== 'already_listed') return r;
  // The registry's id is a function of the node and the url: the listing refused as a duplicate is this one.
  return d.client.update(listingId(listing.nodePubkey, listing.url), listing, d.signer, ONE_ATTEMPT);
}

const ONE_ATTEMPT = { retries: 0 } as const;

/** Resolves true after `ms` on `clock`, or false as soon as `stopping` aborts (the wait then holds no timer). */
function pause(clock: Clock, ms: number, stopping: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (stopping.aborted) return resolve(false);
    const stop = () => {
      cancel();
      resolve(false);
    };
    const cancel = clock.setTimer(ms, () => {
      stopping.removeEventListener('abort', stop);
      resolve(true);
    });
    stopping.addEventListener('abort', stop, { once: true });
  });
}

/** How to remove listing `id` on exit, saying what became of it. */
function unlister(d: RegistrationDeps, id: string): Unlist {
  return async () => {
    const failed = (why: string) => ({
      ok: false,
      line: `removing listing ${id} from ${d.registry} failed: ${why}`,
    });
    try {
      const removed = await d.client.remove(id, d.signer);
      return removed.ok
        ? { ok: true, line: `listing ${id} removed from ${d.registry}` }
        : failed(`${removed.code}: ${removed.message}`);
    } catch (err) {
      return failed((err as Error).message);
    }
  };
}
