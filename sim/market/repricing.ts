import { listingId, nodeSigner } from '../../services/registry/index.js';
import type { Listing } from '../../services/registry/types.js';
import {
  nextPrice,
  priceBounds,
  type PriceBounds,
  type PricingStrategy,
} from '../../services/sellers/pricing.js';
import type { Engine } from '../engine/engine.js';
import type { Recorder } from '../metrics/recorder.js';
import type { MarketRegistry } from './registry.js';
import type { MarketSeller } from './sellers.js';

/** Most listings a seller reads when it looks at its competitors (the registry's own cap). */
const WATCH_LIMIT = 1000;

/**
 * Starts the repricing loop of every seller with a `pricing` strategy. On
 * the virtual clock, every `everySec`, a seller looks at what a real seller
 * could see — its competitors' listed prices (a registry search for its
 * capability) and its own settled sales since the last step — moves its
 * price by its strategy, and if the price changed, posts it: the paywall's
 * next 402 quote, the manifest and the registry listing (re-signed) all say
 * the new price. Sellers of one capability move in turn (staggered by
 * `everySec / n`), as the alternating moves of Maskin and Tirole's model.
 */
export function startRepricing(
  engine: Engine,
  sellers: readonly MarketSeller[],
  registry: MarketRegistry,
  recorder: Recorder,
  durationMs: number,
): void {
  const pricing = sellers.filter((s) => s.spec.pricing !== undefined);
  for (const s of pricing) {
    const capability = s.listing.capabilities[0]!;
    const peers = pricing.filter((p) => p.listing.capabilities[0] === capability);
    const strategy = s.spec.pricing!;
    const everyMs = repricingStepMs(strategy.everySec);
    const offsetMs = Math.round((everyMs * (peers.indexOf(s) + 1)) / peers.length);
    const start = startPrice(s);
    const bounds = priceBounds(strategy, s.spec.costMsat, start);
    const state = { sales: 0 };
    recorder.posted(0, s.name, start, 'start');
    s.node.onInvoice((inv) => {
      if (inv.state === 'settled') state.sales++;
    });
    engine.spawn(`repricing ${s.name}`, async () => {
      for (let at = offsetMs; at < durationMs; at += everyMs) {
        await engine.clock.sleep(at - engine.elapsed());
        await step(s, strategy, bounds, state, { registry, recorder, at: engine.elapsed(), capability });
      }
    });
  }
}

/** The repricing interval in whole ms, at least 1 (a 0 ms step would never advance virtual time). */
export function repricingStepMs(everySec: number): number {
  return Math.max(1, Math.round(everySec * 1000));
}

/** A repricing seller's starting unit price (the scenario checks that its price is fixed). */
function startPrice(s: MarketSeller): number {
  if (s.spec.price.kind !== 'fixed')
    throw new Error(`seller ${s.name}: pricing needs price.kind fixed, got ${s.spec.price.kind}`);
  return s.spec.price.msat;
}

interface StepDeps {
  registry: MarketRegistry;
  recorder: Recorder;
  at: number;
  capability: string;
}

/** One repricing step: observe, decide, and post a changed price to the paywall and the registry. */
async function step(
  s: MarketSeller,
  strategy: PricingStrategy,
  bounds: PriceBounds,
  state: { sales: number },
  { registry, recorder, at, capability }: StepDeps,
): Promise<void> {
  const ownId = listingId(s.listing.nodePubkey, s.listing.url);
  const found = await registry.client.search({ capability, limit: WATCH_LIMIT });
  const competitors = found.ok ? found.listings.filter((l) => l.id !== ownId).flatMap(unitPrice) : [];
  const sales = state.sales;
  state.sales = 0;
  // Its own price as it lists it.
  const ownMsat = unitPrice(s.listing)[0]!;
  const next = nextPrice(strategy, bounds, { ownMsat, competitorsMsat: competitors, sales });
  recorder.event(at, 'reprice', {
    seller: s.name,
    fromMsat: ownMsat,
    toMsat: next.msat,
    move: next.move,
    competitorsMsat: competitors,
    sales,
  });
  if (next.msat === ownMsat) return;
  await postPrice(s, next.msat, registry);
  recorder.posted(at, s.name, next.msat, next.move);
}

/**
 * Posts a repricing seller's new unit price: its paywall quotes it from the
 * next 402 on, and its listing says it (re-signed by its node). Tokens sold
 * before stay valid: the seller and its keys are the same.
 */
async function postPrice(s: MarketSeller, msat: number, registry: MarketRegistry): Promise<void> {
  s.seller.setUnitPrice(msat);
  const listing = s.seller.listing(s.baseUrl);
  const id = listingId(s.listing.nodePubkey, s.listing.url);
  const r = await registry.client.update(id, listing, await nodeSigner(s.node));
  if (!r.ok) throw new Error(`updating the listing of ${s.name} failed: ${r.code}: ${r.message}`);
  s.listing = listing;
}

/** A listing's single-call price (its first tier), as a competitor sees it. */
function unitPrice(l: Pick<Listing, 'tiers'>): number[] {
  const t = l.tiers.find((x) => x.kind === 'single') ?? l.tiers[0];
  return t ? [t.priceMsat] : [];
}
