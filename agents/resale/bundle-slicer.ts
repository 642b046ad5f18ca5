/**
 * A reseller's bundles: the stored upstream token it slices, how many slices are left
 * of it (the calls sliced are counted on the stored token, so a reseller restarted over
 * the same token store resumes after them), and the slices it cuts.
 */
import { TIER_HEADER } from '../../services/paywall/index.js';
import { tokenUsable, type StoredToken, type TokenStore } from '../l402/index.js';
import { delegate, type DelegatedToken } from './delegate.js';
import type { ResellerOptions, ResellerStats } from './reseller.js';

/**
 * Claims the next slice of the current bundle, buying a new bundle when it is sold out or
 * expired; claiming (and buying) is one critical section, so two buyers never get one slice.
 * The slice's calls are written on the stored bundle before the slice goes out.
 */
export function bundleSlicer(
  o: ResellerOptions,
  stats: ResellerStats,
): () => Promise<DelegatedToken | { error: string }> {
  // The client's stored bundle token: its `callsUsed` counts the calls sliced from it.
  let bundle: StoredToken | undefined;
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn);
    lock = run.catch(() => undefined);
    return run;
  };
  return () =>
    exclusive(async () => {
      if (!bundle || !sliceLeft(o, bundle)) {
        const b = await nextBundle(o, stats, bundle);
        if ('error' in b) return b;
        bundle = b;
      }
      // Numbered by the calls sliced before it: unique within the bundle, across restarts too.
      const n = Math.floor(bundle.callsUsed / o.slice.calls) + 1;
      const slice = sliceOf(o, bundle, `${o.name}/${stats.bundlesBought}/${n}`);
      await recordSliced(o.client.tokens, bundle, o.slice.calls);
      return slice;
    });
}

/**
 * A bundle with a slice left: drops the old one (sold out or expired) so the client buys
 * anew, and passes over a stored bundle the client still holds with no slice left (a
 * restart after its last slice). A bundle just bought that holds no slice is an error.
 */
async function nextBundle(
  o: ResellerOptions,
  stats: ResellerStats,
  old: StoredToken | undefined,
): Promise<StoredToken | { error: string }> {
  for (let round = 0; round < MAX_BUNDLE_ROUNDS; round++) {
    if (old) await o.client.tokens.evict(old.origin, old.pathPrefix, old.paymentHash);
    const b = await freshBundle(o, stats);
    if ('error' in b) return b;
    if (sliceLeft(o, b.token)) return b.token;
    if (!b.reused) return { error: `the bundle bought holds no ${o.slice.calls}-call slice` };
    old = b.token;
  }
  return { error: `every bundle held is sold out and none was bought` };
}

/** Stored bundles passed over (then dropped) before giving up on finding one with a slice left. */
const MAX_BUNDLE_ROUNDS = 3;

/**
 * True while the bundle is unexpired and holds another slice: the calls sliced so far
 * (`callsUsed`) plus one slice stay within `slicesPerBundle` slices, else within the
 * bundle's own calls.
 */
function sliceLeft(o: ResellerOptions, t: StoredToken): boolean {
  if (!tokenUsable({ ...t, callsUsed: 0 }, o.clock.now())) return false;
  const calls = o.slicesPerBundle !== undefined ? o.slicesPerBundle * o.slice.calls : t.maxCalls;
  return calls === undefined || t.callsUsed + o.slice.calls <= calls;
}

/**
 * Counts a slice's calls on the stored bundle and writes it back while the store still
 * holds that bundle (never bringing back one dropped since); a failed write fails the sale.
 */
async function recordSliced(tokens: TokenStore, t: StoredToken, calls: number): Promise<void> {
  t.callsUsed += calls;
  const held = tokens.get(t.origin, t.pathPrefix);
  if (held?.paymentHash !== t.paymentHash) return;
  held.callsUsed = Math.max(held.callsUsed, t.callsUsed);
  await tokens.put(held);
}

/** A slice of the bundle: its macaroon attenuated to the slice's calls, lifetime and path. */
function sliceOf(o: ResellerOptions, t: StoredToken, id: string): DelegatedToken {
  return delegate(
    { origin: t.origin, macaroon: t.macaroon, preimage: t.preimage!, service: t.service },
    {
      id,
      calls: o.slice.calls,
      validForSec: o.slice.validForSec,
      ...(o.slice.pathPrefix ? { pathPrefix: o.slice.pathPrefix } : {}),
    },
    { clock: o.clock },
  );
}

/** Buys (or finds) the upstream bundle, counting what a new one cost. */
async function freshBundle(
  o: ResellerOptions,
  stats: ResellerStats,
): Promise<{ token: StoredToken; reused: boolean } | { error: string }> {
  const headers: Record<string, string> = {};
  if (o.upstream.tier !== undefined) headers[TIER_HEADER] = String(o.upstream.tier);
  const r = await o.client.acquire(o.upstream.url, { headers }, o.upstream.hints);
  if (r.outcome !== 'success' || !r.token?.preimage)
    return { error: `${r.outcome}: ${r.reason ?? 'no token'}` };
  if (!r.tokenReused) {
    stats.bundlesBought++;
    stats.costMsat += r.paidMsat + r.feeMsat;
  }
  return { token: r.token, reused: r.tokenReused };
}
