/**
 * A reseller's bundles: the stored upstream token it slices, how many slices are left
 * of it (the calls sliced are counted on the stored token, so a reseller restarted over
 * the same token store resumes after them), and the slices it cuts.
 */
import { TIER_HEADER } from '../../services/paywall/index.js';
import { countHandedDown, tokenUsable, type StoredToken } from '../l402/index.js';
import { probeBundle } from './bundle-probe.js';
import type { BundleVerdicts } from './bundle-verdicts.js';
import { deadlineQueue, LATE } from './deadline-queue.js';
import { delegate, type DelegatedToken } from './delegate.js';
import type { ResellerOptions, ResellerStats } from './reseller.js';
import type { UpstreamBreaker } from './upstream-breaker.js';

/** How long a paid retry waits for its slice, an upstream purchase included, by default (a buyer waits 30 s). */
export const DEFAULT_UPSTREAM_TIMEOUT_SEC = 10;

/** A slice cut for a buyer, the bundle it came from and the slices that bundle has left. */
export interface ClaimedSlice {
  slice: DelegatedToken;
  bundleHash: string;
  slicesLeft: number;
}

/**
 * Claims the next slice of the current bundle, buying a new bundle when it is sold out or
 * expiring; claiming (and buying) is one critical section, so two buyers never get one slice.
 * The slice's calls are written on the stored bundle before the slice goes out. A claim
 * gives up after `upstreamTimeoutSec`, or once its buyer is `gone`; an upstream request (a
 * purchase, or a bundle check) still in flight then counts as an upstream failure, and every
 * claim after fails at once (no queue behind it) until it ends. No bundle is bought or checked
 * while the breaker is open; a purchase that fails opens it. A bundle `verdicts` calls suspect
 * (its buyers canceled its slices in a row) is checked at the origin with one call
 * (`probeBundle`, counted on the bundle, given `upstreamTimeoutSec` to answer) before the next
 * slice: replaced like a sold-out one when the origin refuses it, sold on when it answers
 * otherwise; a check with no answer is an upstream failure and leaves the bundle suspect.
 */
export function bundleSlicer(
  o: ResellerOptions,
  stats: ResellerStats,
  breaker: UpstreamBreaker,
  verdicts: Pick<BundleVerdicts, 'suspect' | 'cleared'>,
): (gone?: () => boolean) => Promise<ClaimedSlice | { error: string }> {
  // The client's stored bundle token: its `callsUsed` counts the calls sliced from it.
  let bundle: StoredToken | undefined;
  // The upstream request in flight: what it is, since when, and whether a claim gave up on it.
  let upstream: { what: string; sinceMs: number; late: boolean } | undefined;
  const timeoutSec = o.upstreamTimeoutSec ?? DEFAULT_UPSTREAM_TIMEOUT_SEC;
  const queue = deadlineQueue(o.clock, timeoutSec * 1000);
  const late = { error: `no slice within ${timeoutSec} s` };
  const url = o.upstream.url;

  /** Runs `work` as the upstream request in flight (`what`), which claims that give up on it name. */
  const inFlight = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    upstream = { what, sinceMs: o.clock.now(), late: false };
    try {
      return await work();
    } finally {
      upstream = undefined;
    }
  };

  /** What the origin says of `b`, whose slices its buyers canceled in a row: spent, still served, or no answer. */
  const checkAtOrigin = async (b: StoredToken): Promise<'spent' | 'served' | { error: string }> => {
    // Numbered by the calls counted before it, as slices are: a copy of its own at the origin.
    const id = `${o.name}/${stats.bundlesBought}/check-${b.callsUsed}`;
    // Its request's tag, numbered by the checks before it: `onEvent` and `onBundleCheck` hear it.
    const tag = `${o.name}/bundle-check-${stats.bundleChecks}`;
    const what = `the check of the bundle at ${url}`;
    const probe = await inFlight(what, () => probeBundle(o, b, { id, tag, timeoutMs: timeoutSec * 1000 }));
    stats.bundleChecks++;
    // Counted even unanswered: the origin may have counted the call.
    await countHandedDown(o.client.tokens, b, 1);
    const { spent, answer } = probe;
    o.logger?.info(
      { reseller: o.name, bundle: b.paymentHash, spent, answer },
      'bundle checked at the origin',
    );
    o.onBundleCheck?.(tag, probe.call);
    if (spent) return 'spent';
    if (!probe.answered) {
      breaker.failed();
      return { error: `${what} got no answer (${answer})` };
    }
    verdicts.cleared(b.paymentHash);
    return 'served';
  };

  const cut = async (gaveUp: () => boolean): Promise<ClaimedSlice | { error: string }> => {
    if (gaveUp()) return late;
    let spent = false;
    if (bundle && slicesLeft(o, bundle) > 0 && verdicts.suspect(bundle.paymentHash)) {
      if (breaker.waitMs() > 0) return { error: `no bundle is checked at ${url} while it is backed off` };
      const checked = await checkAtOrigin(bundle);
      if (typeof checked === 'object') return checked;
      if (gaveUp()) return late;
      spent = checked === 'spent';
    }
    if (!bundle || slicesLeft(o, bundle) === 0 || spent) {
      if (breaker.waitMs() > 0) return { error: `no bundle is bought from ${url} while it is backed off` };
      const b = await inFlight(`the purchase from ${url}`, () => nextBundle(o, stats, bundle));
      if ('error' in b) {
        breaker.failed();
        return b;
      }
      bundle = b;
      // Its buyer has its 503 already; the bundle waits for the next one.
      if (gaveUp()) return late;
    }
    // Numbered by the calls sliced before it: unique within the bundle, across restarts too.
    const n = Math.floor(bundle.callsUsed / o.slice.calls) + 1;
    const slice = sliceOf(o, bundle, `${o.name}/${stats.bundlesBought}/${n}`);
    await countHandedDown(o.client.tokens, bundle, o.slice.calls);
    return { slice, bundleHash: bundle.paymentHash, slicesLeft: slicesLeft(o, bundle) };
  };

  return async (gone = () => false) => {
    if (upstream?.late) {
      breaker.failed();
      const sec = Math.round((o.clock.now() - upstream.sinceMs) / 1000);
      return { error: `${upstream.what} has been in flight for ${sec} s` };
    }
    const claimed = await queue((gaveUp) => cut(() => gaveUp() || gone()));
    if (claimed !== LATE) return claimed;
    if (!upstream) return { error: `${late.error}: other buyers were served first` };
    // Once per upstream request: the claims queued behind it give up too.
    if (!upstream.late) breaker.failed();
    upstream.late = true;
    return { error: `${late.error}: ${upstream.what} is still in flight` };
  };
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
    if (slicesLeft(o, b.token) > 0) return b.token;
    if (!b.reused) return { error: `the bundle bought ${noSliceIn(o, b.token)}` };
    old = b.token;
  }
  return { error: `every bundle held is sold out and none was bought` };
}

/** Stored bundles passed over (then dropped) before giving up on finding one with a slice left. */
const MAX_BUNDLE_ROUNDS = 3;

/**
 * The slices left in the bundle: none once it expires within a slice's `validForSec` (a
 * slice would be cut short); else as many as fit after the calls sliced so far
 * (`callsUsed`) within the bundle's own calls, and within `slicesPerBundle` slices: never
 * more than the bundle holds, whatever its tier turned out to be (no slice is sold that
 * the origin would refuse). A reseller set to `oversell` sells its `slicesPerBundle`
 * slices whatever the bundle holds.
 */
function slicesLeft(o: ResellerOptions, t: StoredToken): number {
  const now = o.clock.now();
  if (!tokenUsable({ ...t, callsUsed: 0 }, now)) return 0;
  if (t.validUntilMs !== undefined && t.validUntilMs - now < o.slice.validForSec * 1000) return 0;
  const asked = o.slicesPerBundle !== undefined ? o.slicesPerBundle * o.slice.calls : undefined;
  const held = o.oversell && asked !== undefined ? Infinity : (t.maxCalls ?? Infinity);
  const calls = Math.min(asked ?? Infinity, held);
  if (calls === Infinity) return Infinity;
  return Math.max(0, Math.floor((calls - t.callsUsed) / o.slice.calls));
}

/** Why a bundle just bought holds no slice. */
function noSliceIn(o: ResellerOptions, t: StoredToken): string {
  const { calls, validForSec } = o.slice;
  if (t.validUntilMs !== undefined && t.validUntilMs - o.clock.now() < validForSec * 1000)
    return `expires in ${Math.floor((t.validUntilMs - o.clock.now()) / 1000)} s, before a ${validForSec} s slice would: sell shorter slices or buy a longer tier`;
  return `holds no ${calls}-call slice: sell smaller slices or buy a bigger tier`;
}

/** A slice of the bundle: its macaroon attenuated to the slice's calls, lifetime and path. */
function sliceOf(o: ResellerOptions, t: StoredToken, id: string): DelegatedToken {
  return delegate(
    { origin: t.origin, macaroon: t.macaroon, preimage: t.preimage!, scheme: t.scheme, service: t.service },
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
