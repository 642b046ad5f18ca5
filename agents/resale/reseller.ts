import { Hono } from 'hono';
import type { Minter } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { silentLogger, type Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import type { SecretSource } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import { l402Paywall, TIER_HEADER, type PaywallEventListener } from '../../services/paywall/index.js';
import { tokenUsable, type L402Client, type PurchaseHints, type StoredToken } from '../l402/index.js';
import { delegate, type DelegatedToken } from './delegate.js';

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
   * shared quota makes the last buyers meet `quota_exhausted`.
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

interface Bundle {
  token: StoredToken;
  sold: number;
  capacity: number;
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

/**
 * Claims the next slice of the current bundle, buying a new bundle when it is sold out or
 * expired; claiming (and buying) is one critical section, so two buyers never get one slice.
 */
function bundleSlicer(
  o: ResellerOptions,
  stats: ResellerStats,
): () => Promise<DelegatedToken | { error: string }> {
  let bundle: Bundle | undefined;
  let lock: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lock.then(fn);
    lock = run.catch(() => undefined);
    return run;
  };
  return () =>
    exclusive(async () => {
      if (!bundle || bundle.sold >= bundle.capacity || !usableBundle(bundle.token, o.clock.now())) {
        // The old bundle is sold out (or expired): drop it so the client buys a new one.
        if (bundle)
          await o.client.tokens.evict(bundle.token.origin, bundle.token.pathPrefix, bundle.token.paymentHash);
        const b = await freshBundle(o, stats);
        if ('error' in b) return b;
        bundle = b;
      }
      bundle.sold++;
      return sliceOf(o, bundle, `${o.name}/${stats.bundlesBought}/${bundle.sold}`);
    });
}

/** A slice of the bundle: its macaroon attenuated to the slice's calls, lifetime and path. */
function sliceOf(o: ResellerOptions, bundle: Bundle, id: string): DelegatedToken {
  return delegate(
    {
      origin: bundle.token.origin,
      macaroon: bundle.token.macaroon,
      preimage: bundle.token.preimage!,
      service: bundle.token.service,
    },
    {
      id,
      calls: o.slice.calls,
      validForSec: o.slice.validForSec,
      ...(o.slice.pathPrefix ? { pathPrefix: o.slice.pathPrefix } : {}),
    },
    { clock: o.clock },
  );
}

/** A bundle is worth slicing while unexpired; its calls are tracked by the reseller, not the local count. */
function usableBundle(t: StoredToken, nowMs: number): boolean {
  return tokenUsable({ ...t, callsUsed: 0 }, nowMs);
}

/** Buys (or finds) the upstream bundle, counting what a new one cost. */
async function freshBundle(o: ResellerOptions, stats: ResellerStats): Promise<Bundle | { error: string }> {
  const headers: Record<string, string> = {};
  if (o.upstream.tier !== undefined) headers[TIER_HEADER] = String(o.upstream.tier);
  const r = await o.client.acquire(o.upstream.url, { headers }, o.upstream.hints);
  if (r.outcome !== 'success' || !r.token?.preimage)
    return { error: `${r.outcome}: ${r.reason ?? 'no token'}` };
  if (!r.tokenReused) {
    stats.bundlesBought++;
    stats.costMsat += r.paidMsat + r.feeMsat;
  }
  const calls = r.token.maxCalls;
  const capacity =
    o.slicesPerBundle ?? (calls === undefined ? Number.POSITIVE_INFINITY : Math.floor(calls / o.slice.calls));
  return { token: r.token, sold: 0, capacity };
}
