import { Hono, type Context, type Next } from 'hono';
import { silentLogger, type Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import {
  l402Paywall,
  parseHoldAuthorization,
  type PaywallEventListener,
} from '../../services/paywall/index.js';
import { bundleSlicer, DEFAULT_UPSTREAM_TIMEOUT_SEC, type ClaimedSlice } from './bundle-slicer.js';
import { BundleVerdicts } from './bundle-verdicts.js';
import { checkResellerOptions, type ResellerOptions } from './reseller-options.js';
import { DEFAULT_CREDIT_LIMIT, SliceCredit } from './slice-credit.js';
import { DEFAULT_UPSTREAM_BACKOFF, UpstreamBreaker } from './upstream-breaker.js';

export type { ResellerOptions } from './reseller-options.js';

/** A reseller's books. */
export interface ResellerStats {
  bundlesBought: number;
  /** Paid upstream, fees included. */
  costMsat: Msat;
  /** Slices handed out (paid retries answered with a slice, less those whose buyer left before it went out). */
  slicesDelivered: number;
  /** Slices paid for: their hold settled (on delivery, or on the buyer's release after its check). */
  slicesSold: number;
  /** Slices whose buyer canceled the hold after checking them at the origin. */
  slicesRefused: number;
  /** Requests for a slice refused (503 `credit_exhausted`) while the credit limit was reached. */
  creditRefusals: number;
  /** Slice revenue (each settled slice's invoice amount). */
  revenueMsat: Msat;
  /** Requests answered 503 `upstream_unavailable`: no bundle to slice in time, or the upstream breaker open. */
  failures: number;
  /** Calls made at the origin to check a bundle whose slices were canceled in a row (one call each). */
  bundleChecks: number;
}

/**
 * A reseller: buys a bundle or time pass from an origin seller and sells
 * slices of it through its own paywall, on its own Hono app and node. A
 * slice is the bundle's macaroon attenuated (fewer calls, shorter life,
 * optional path) plus the original preimage, delivered in the paid response
 * body of `GET /slice`; the buyer then calls the origin with it. A buyer
 * that asks for buyer release tries the slice at the origin while its HTLC
 * is held and settles or cancels the hold itself.
 *
 * @example
 * const { app } = createReseller({ name: 'r1', node, minter, clock, client,
 *   upstream: { url: 'http://origin.test/v1/data' }, slice: { calls: 2, validForSec: 600, priceMsat: 12_000 } });
 */
export function createReseller(o: ResellerOptions): { app: Hono; stats(): ResellerStats } {
  checkResellerOptions(o);
  const log = o.logger ?? silentLogger;
  const stats: ResellerStats = {
    bundlesBought: 0,
    costMsat: 0,
    slicesDelivered: 0,
    slicesSold: 0,
    slicesRefused: 0,
    creditRefusals: 0,
    revenueMsat: 0,
    failures: 0,
    bundleChecks: 0,
  };
  const breaker = new UpstreamBreaker(o.upstreamBackoff ?? DEFAULT_UPSTREAM_BACKOFF, o.clock);
  const verdicts = new BundleVerdicts(breaker);
  const claimSlice = bundleSlicer(o, stats, breaker, verdicts);
  const credit = new SliceCredit(o.creditLimit ?? DEFAULT_CREDIT_LIMIT, o.clock);
  const noCredit = creditRefusal(credit, stats);
  const upstreamDown = (c: Context, failure: string) => upstreamRefusal(c, stats, breaker, failure);
  const backedOff = (c: Context) =>
    breaker.waitMs() > 0 ? upstreamDown(c, 'the upstream failed recently') : undefined;
  const app = new Hono();
  // Anything but a paid retry (a new purchase, a stray credential) is refused before any invoice;
  // a paid retry in the handler (503: its hold is canceled). Verdicts on held slices always pass.
  const beforeInvoice = (c: Context, next: Next) =>
    parseHoldAuthorization(c.req.header('authorization')) === undefined
      ? (backedOff(c) ?? noCredit(c) ?? next())
      : next();
  const paywall = slicePaywall(o, log, salesCounter(stats, credit, verdicts, o.onEvent));
  app.get('/slice', beforeInvoice, paywall, async function sellSlice(c) {
    const hash = c.get('l402').paymentHash;
    // Checked and counted in one step, before any await: retries that arrive together each take credit.
    const refused = backedOff(c) ?? noCredit(c, hash);
    if (refused) return refused;
    // A buyer that stopped waiting (timed out, closed its connection) gets no slice cut for it.
    const gone = () => c.req.raw.signal.aborted;
    let claimed: ClaimedSlice | { error: string };
    try {
      claimed = await claimSlice(gone);
    } catch (err) {
      claimed = { error: (err as Error).message };
    }
    if ('error' in claimed) {
      credit.release(hash);
      // 503: the paywall cancels the hold invoice, so the buyer gets its money back.
      if (gone()) return unavailable(c, 'request_aborted', 'the buyer left before its slice was cut', 0);
      log.warn({ reseller: o.name, error: claimed.error }, 'no bundle to slice');
      return upstreamDown(c, claimed.error);
    }
    stats.slicesDelivered++;
    credit.delivered(hash);
    verdicts.delivered(hash, claimed.bundleHash, claimed.slicesLeft);
    return c.json({ ...claimed.slice, url: o.upstream.url });
  });
  app.get('/stats', (c) => c.json(stats));
  return { app, stats: () => ({ ...stats }) };
}

/**
 * 503 `credit_exhausted` with Retry-After while the credit limit is reached; undefined while
 * a slice may go out. Given the paid retry's `reserveFor` (its payment hash), it also takes
 * the credit for that slice.
 */
function creditRefusal(credit: SliceCredit, stats: ResellerStats) {
  return (c: Context, reserveFor?: string): Response | undefined => {
    if (reserveFor !== undefined ? credit.reserve(reserveFor) : credit.waitMs() === 0) return undefined;
    stats.creditRefusals++;
    const sec = Math.ceil(credit.waitMs() / 1000);
    const { slices, windowSec } = credit.limit;
    const message = `${slices} slices went out unpaid in the last ${windowSec} s or are being claimed; no slice is sold for ${sec} s`;
    return unavailable(c, 'credit_exhausted', message, sec);
  };
}

/** 503 `upstream_unavailable` saying why (`failure`), with Retry-After while the breaker is open. */
function upstreamRefusal(
  c: Context,
  stats: ResellerStats,
  breaker: UpstreamBreaker,
  failure: string,
): Response {
  stats.failures++;
  const sec = Math.ceil(breaker.waitMs() / 1000);
  const backOff = sec > 0 ? `; no slice is sold for ${sec} s, retry after that` : '; retry later';
  return unavailable(c, 'upstream_unavailable', `${failure}${backOff}`, sec);
}

/** A 503 the buyer may retry: Retry-After when `retryAfterSec` is above 0. */
function unavailable(c: Context, error: string, message: string, retryAfterSec: number): Response {
  const headers = retryAfterSec > 0 ? { 'Retry-After': String(retryAfterSec) } : undefined;
  return c.json({ error, message }, 503, headers);
}

/** Sales count when the money moves: a hold settled, or canceled by the buyer who checked the slice. */
function salesCounter(
  stats: ResellerStats,
  credit: SliceCredit,
  verdicts: BundleVerdicts,
  next?: PaywallEventListener,
): PaywallEventListener {
  return (e) => {
    if (e.type === 'settled') {
      stats.slicesSold++;
      stats.revenueMsat += e.priceMsat ?? 0;
      if (e.paymentHash) credit.paid(e.paymentHash);
      if (e.paymentHash) verdicts.paid(e.paymentHash);
    } else if (e.type === 'refunded' && e.reason === 'buyer_canceled') {
      stats.slicesRefused++;
      if (e.paymentHash) verdicts.refused(e.paymentHash);
    } else if (e.type === 'refunded' && e.reason === 'request_aborted') {
      // A slice cut whose buyer left before it went out: never delivered. Its calls stay taken from
      // the bundle (it may have left the wire) and its credit stays used, which bounds such losses.
      stats.slicesDelivered--;
    }
    next?.(e);
  };
}

/** How long a buyer has to pay a slice's hold invoice (seconds). */
const SLICE_INVOICE_EXPIRY_SEC = 600;

/**
 * The slice route's paywall: one call per slice token, pay-on-success with
 * buyer release. A slice token lives as long as its invoice can be paid,
 * plus the paid retry's wait for its slice and a minute: its hold is gone by
 * then, and with a lifetime the paywall drops the token's call counter
 * after it (without one, every slice sold kept a counter for good).
 */
function slicePaywall(o: ResellerOptions, log: Logger, onEvent: PaywallEventListener) {
  const upstreamSec = o.upstreamTimeoutSec ?? DEFAULT_UPSTREAM_TIMEOUT_SEC;
  return l402Paywall({
    node: o.node,
    minter: o.minter,
    clock: o.clock,
    service: `${o.name}-slices`,
    price: o.slice.priceMsat,
    maxCalls: 1,
    invoiceExpirySec: SLICE_INVOICE_EXPIRY_SEC,
    tokenLifetimeSec: SLICE_INVOICE_EXPIRY_SEC + upstreamSec + 60,
    payOnSuccess: true,
    // A buyer that asks may try the slice at the origin before its payment settles.
    buyerRelease: true,
    ...(o.secrets ? { secrets: o.secrets } : {}),
    logger: log,
    onEvent,
  });
}
