import { Hono, type Context, type Next } from 'hono';
import type { Minter } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import { l402Paywall, type PaywallEventListener } from '../../services/paywall/index.js';
import type { L402Client, PurchaseHints } from '../l402/index.js';
import { bundleSlicer } from './bundle-slicer.js';
import type { DelegatedToken } from './delegate.js';
import { DEFAULT_CREDIT_LIMIT, SliceCredit, type CreditLimit } from './slice-credit.js';

/** What a reseller buys, what it sells, and how greedily. */
export interface ResellerOptions {
  name: string;
  /** The reseller's own node: slice buyers pay it. */
  node: LightningNode;
  /** The reseller's own minter: its paywall issues its own tokens for slices. */
  minter: Minter;
  clock: Clock;
  /**
   * Preimages for hold invoices (slices are sold pay-on-success with buyer
   * release: no working slice, no money). Default: the OS CSPRNG.
   */
  secrets?: SecretSource;
  /** Buys bundles upstream, paying from the reseller's node. */
  client: L402Client;
  /** The origin resource and the tier to buy there (a bundle or a time pass). */
  upstream: { url: string; tier?: number; hints?: PurchaseHints };
  /** One slice: calls, lifetime, price, optional path binding. */
  slice: { calls: number; validForSec: number; priceMsat: Msat; pathPrefix?: string };
  /**
   * Slices sold per bundle. Default: as many as the bundle's calls cover
   * (floor(calls / slice calls)); more than that oversells, and the origin's
   * shared quota makes the last buyers meet `quota_exhausted`. Either way the
   * calls already sliced are counted on the stored bundle token (its
   * `callsUsed`), so a reseller restarted over the same token store sells
   * only what is left of it.
   */
  slicesPerBundle?: number;
  /**
   * Slices let out unpaid (delivered, then canceled or never answered) per
   * window; beyond it `/slice` answers 503 `credit_exhausted` with
   * Retry-After and sells nothing. Default `DEFAULT_CREDIT_LIMIT`.
   */
  creditLimit?: CreditLimit;
  logger?: Logger;
  onEvent?: PaywallEventListener;
}

/** A reseller's books. */
export interface ResellerStats {
  bundlesBought: number;
  /** Paid upstream, fees included. */
  costMsat: Msat;
  /** Slices handed out (paid retries answered with a slice). */
  slicesDelivered: number;
  /** Slices paid for: their hold settled (on delivery, or on the buyer's release after its check). */
  slicesSold: number;
  /** Slices whose buyer canceled the hold after checking them at the origin. */
  slicesRefused: number;
  /** Requests for a slice refused (503 `credit_exhausted`) while the credit limit was reached. */
  creditRefusals: number;
  /** Slice revenue (each settled slice's invoice amount). */
  revenueMsat: Msat;
  failures: number;
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
  };
  const claimSlice = bundleSlicer(o, stats);
  const credit = new SliceCredit(o.creditLimit ?? DEFAULT_CREDIT_LIMIT, o.clock);
  const noCredit = creditRefusal(credit, stats);
  const app = new Hono();
  // A new purchase is refused before any invoice; a paid retry in the handler (503: its hold is canceled).
  const beforeInvoice = (c: Context, next: Next) =>
    c.req.header('authorization') === undefined ? (noCredit(c) ?? next()) : next();
  const paywall = slicePaywall(o, log, salesCounter(stats, credit, o.onEvent));
  app.get('/slice', beforeInvoice, paywall, async function sellSlice(c) {
    const refused = noCredit(c);
    if (refused) return refused;
    let slice: DelegatedToken | { error: string };
    try {
      slice = await claimSlice();
    } catch (err) {
      slice = { error: (err as Error).message };
    }
    if ('error' in slice) {
      stats.failures++;
      log.warn({ reseller: o.name, error: slice.error }, 'no bundle to slice');
      // 503: the paywall cancels the hold invoice, so the buyer gets its money back.
      return c.json({ error: 'upstream_unavailable', message: slice.error }, 503);
    }
    stats.slicesDelivered++;
    credit.delivered(c.get('l402').paymentHash);
    return c.json({ ...slice, url: o.upstream.url });
  });
  app.get('/stats', (c) => c.json(stats));
  return { app, stats: () => ({ ...stats }) };
}

/** 503 `credit_exhausted` with Retry-After while the credit limit is reached; undefined while a slice may go out. */
function creditRefusal(credit: SliceCredit, stats: ResellerStats) {
  return (c: Context): Response | undefined => {
    const waitMs = credit.waitMs();
    if (waitMs === 0) return undefined;
    stats.creditRefusals++;
    const sec = Math.ceil(waitMs / 1000);
    const { slices, windowSec } = credit.limit;
    return c.json(
      {
        error: 'credit_exhausted',
        message: `${slices} slices went out unpaid in the last ${windowSec} s; no slice is sold for ${sec} s`,
      },
      503,
      { 'Retry-After': String(sec) },
    );
  };
}

/** Sales count when the money moves: a hold settled, or canceled by the buyer who checked the slice. */
function salesCounter(
  stats: ResellerStats,
  credit: SliceCredit,
  next?: PaywallEventListener,
): PaywallEventListener {
  return (e) => {
    if (e.type === 'settled') {
      stats.slicesSold++;
      stats.revenueMsat += e.priceMsat ?? 0;
      if (e.paymentHash) credit.paid(e.paymentHash);
    } else if (e.type === 'refunded' && e.reason === 'buyer_canceled') stats.slicesRefused++;
    next?.(e);
  };
}

/** The slice route's paywall: one call per slice token, pay-on-success with buyer release. */
function slicePaywall(o: ResellerOptions, log: Logger, onEvent: PaywallEventListener) {
  return l402Paywall({
    node: o.node,
    minter: o.minter,
    clock: o.clock,
    service: `${o.name}-slices`,
    price: o.slice.priceMsat,
    maxCalls: 1,
    payOnSuccess: true,
    // A buyer that asks may try the slice at the origin before its payment settles.
    buyerRelease: true,
    ...(o.secrets ? { secrets: o.secrets } : {}),
    logger: log,
    onEvent,
  });
}
