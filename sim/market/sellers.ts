import type { Rng } from '../../infra/random.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import { createSeller, type Seller } from '../../services/sellers/seller.js';
import type { BeforeWork } from '../../services/sellers/seller-app.js';
import type { SellerConfigInput } from '../../services/sellers/config.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import type { ListingFields } from '../../services/registry/types.js';
import type { SellerSpec } from '../scenario/schema.js';
import { instanceNames, shadowName } from '../scenario/node-names.js';
import type { Recorder } from '../metrics/recorder.js';
import { sellerNegotiation } from './negotiators.js';
import type { World } from './world.js';

/** One seller of the market, served and ready to list. */
export interface MarketSeller {
  name: string;
  group: string;
  spec: SellerSpec;
  seller: Seller;
  node: LightningNode;
  baseUrl: string;
  listing: ListingFields;
  /** Run on each paid call its paywall accepted (upstream buying): a seller rebuilt in the run keeps it. */
  beforeWork?: BeforeWork;
}

/** How the market builds on a seller: what its paid calls do first (`beforeWork`), and its app as served (`wrap`). */
export interface SellerHooks {
  beforeWork?: (s: Pick<MarketSeller, 'name' | 'group' | 'spec' | 'node'>) => BeforeWork | undefined;
  wrap?: (s: MarketSeller) => (req: Request) => Response | Promise<Response>;
}

/** The seller configuration (services/sellers format) of one member of a scenario's seller group. */
export function sellerConfig(spec: SellerSpec, name: string): SellerConfigInput {
  return {
    archetype: spec.archetype,
    name,
    ...(spec.category && { category: spec.category }),
    ...(spec.description && { description: spec.description }),
    quality: spec.quality,
    price: spec.price,
    tiers: spec.tiers,
    failureRate: spec.failureRate,
    ...(spec.latency && { latency: spec.latency }),
    ...(spec.quoteLatency && { quoteLatency: spec.quoteLatency }),
    ...(spec.capacity && { capacity: spec.capacity }),
    payOnSuccess: spec.payOnSuccess,
    ...(spec.maxCallsGivenBack !== undefined && { maxCallsGivenBack: spec.maxCallsGivenBack }),
    ...(spec.holdRefundRate && { holdRefundRate: spec.holdRefundRate }),
    ...(spec.adversarial && { adversarial: spec.adversarial }),
  };
}

/**
 * Tracks seller revenue from the Lightning side: a challenge names the
 * payment hash and the seller; when that invoice settles on the seller's
 * node, the amount received is the sale. Counting settled invoices (not
 * authorized calls) is what makes the revenue match the ledger.
 */
export class RevenueTracker {
  readonly #pending = new Map<string, { seller: string; group: string; reseller: boolean; atMs: number }>();
  readonly #watched = new Set<LightningNode>();

  /**
   * `forgetAfterMs`: how long an invoice's seller is remembered without a
   * settle or cancel. Most challenges are never paid (buyers compare quotes)
   * and an invoice that expires unpaid sends no event, so without a horizon
   * the map grows with every 402. One hour is six times the paywall's 600 s
   * invoice expiry: a sale settles before its invoice expires, or
   * (pay-on-success) within its own call.
   */
  constructor(
    private readonly recorder: Recorder,
    private readonly forgetAfterMs = 3_600_000,
  ) {}

  /** Challenges remembered, waiting for a settle or a cancel. */
  get pending(): number {
    return this.#pending.size;
  }

  /** A paywall listener that remembers which seller issued each invoice. */
  listener(seller: string, group: string, reseller = false): (e: PaywallEvent) => void {
    return (e) => {
      if (e.type === 'challenge' && e.paymentHash) {
        this.#forgetBefore(e.atMs - this.forgetAfterMs);
        this.#pending.set(e.paymentHash, { seller, group, reseller, atMs: e.atMs });
      }
      if (e.type === 'refunded') this.recorder.refund(group);
    };
  }

  // Entries are in challenge order (the clock never goes back): the oldest are first, so each is looked at once.
  #forgetBefore(cutoffMs: number): void {
    for (const [hash, p] of this.#pending) {
      if (p.atMs >= cutoffMs) return;
      this.#pending.delete(hash);
    }
  }

  /** Watches a node's invoices (once per node, however many sellers share it). */
  watch(node: LightningNode): void {
    if (this.#watched.has(node)) return;
    this.#watched.add(node);
    node.onInvoice((inv) => {
      const who = this.#pending.get(inv.paymentHash);
      if (!who) return;
      if (inv.state === 'settled') {
        this.#pending.delete(inv.paymentHash);
        this.recorder.sale(who.seller, who.group, inv.amountPaidMsat ?? inv.amountMsat, who.reseller);
      } else if (inv.state === 'canceled') {
        this.#pending.delete(inv.paymentHash);
      }
    });
  }
}

/** Builds every seller of the scenario: node, app, host, listing. */
export async function buildSellers(
  specs: readonly SellerSpec[],
  world: World,
  rng: Rng,
  revenue: RevenueTracker,
  recorder: Recorder,
  logger: Logger,
  { beforeWork: inputs, wrap = (s) => s.seller.app.fetch }: SellerHooks = {},
): Promise<MarketSeller[]> {
  const out: MarketSeller[] = [];
  for (const spec of specs) {
    for (const name of instanceNames(spec.name, spec.count)) {
      const node = await world.node(name, 'seller', spec.balanceMsat);
      recorder.entity('seller');
      // A wrong-payee seller advertises its own node but invoices from a shadow node it also controls.
      const payeeNode =
        spec.adversarial?.mode === 'wrong-payee'
          ? await world.node(shadowName(name), 'seller', 0)
          : undefined;
      const sellerRng = rng.fork(`seller/${name}`);
      const beforeWork = inputs?.({ name, group: spec.name, spec, node });
      const seller = await createSeller(sellerConfig(spec, name), {
        node,
        clock: world.clock,
        rng: sellerRng,
        secrets: world.secretsFor(sellerRng),
        logger,
        onEvent: revenue.listener(name, spec.name),
        // The manifest names the address the seller is served at, never a request's Host header.
        publicOrigin: () => entry.baseUrl,
        ...(spec.pricing && { repricing: true }),
        ...(payeeNode && { payeeNode }),
        ...(beforeWork && { beforeWork }),
        ...(spec.negotiation && { negotiation: sellerNegotiation(spec.negotiation, spec.costMsat) }),
      });
      revenue.watch(payeeNode ?? node);
      const entry: MarketSeller = {
        name,
        group: spec.name,
        spec,
        seller,
        node,
        baseUrl: '',
        listing: undefined!,
        ...(beforeWork && { beforeWork }),
      };
      entry.baseUrl = await world.serve(`${name}.sellers.sim`, wrap(entry));
      entry.listing = advertise(seller.listing(entry.baseUrl), spec);
      out.push(entry);
    }
  }
  return out;
}

/**
 * What a seller advertises in the registry. A dynamically priced seller
 * advertises its ceiling (the price at maximum load): buyers treat the
 * advertised price as the most an invoice may ask, and the live 402 quote
 * tells them the current price.
 */
export function advertise(listing: ListingFields, spec: SellerSpec): ListingFields {
  const p = spec.price;
  if (p.kind !== 'dynamic') return listing;
  return {
    ...listing,
    tiers: listing.tiers.map((t) => ({ ...t, priceMsat: Math.ceil((t.priceMsat * p.maxMsat) / p.baseMsat) })),
  };
}
