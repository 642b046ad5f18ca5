import { Hono } from 'hono';
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
    revenueMsat: 0,
    failures: 0,
  };
  const claimSlice = bundleSlicer(o, stats);
  const app = new Hono();
  app.get('/slice', slicePaywall(o, log, salesCounter(stats, o.onEvent)), async function sellSlice(c) {
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
    return c.json({ ...slice, url: o.upstream.url });
  });
  app.get('/stats', (c) => c.json(stats));
  return { app, stats: () => ({ ...stats }) };
}

/** Sales count when the money moves: a hold settled, or canceled by the buyer who checked the slice. */
function salesCounter(stats: ResellerStats, next?: PaywallEventListener): PaywallEventListener {
  return (e) => {
    if (e.type === 'settled') {
      stats.slicesSold++;
      stats.revenueMsat += e.priceMsat ?? 0;
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
