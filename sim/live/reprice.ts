import { createSeller } from '../../services/sellers/seller.js';
import { listingId, nodeSigner } from '../../services/registry/index.js';
import type { Market } from '../market/market.js';
import { advertise, sellerConfig, type MarketSeller } from '../market/sellers.js';
import type { World } from '../market/world.js';
import { refuse, type ControlError } from './controls.js';

/**
 * Why a presenter cannot set this seller's price, if it cannot: a seller
 * with a `pricing` strategy sets its own price at every step, so a fixed
 * price from the presenter would be undone at its next step.
 */
export function priceRefusal(s: MarketSeller): ControlError | undefined {
  if (!s.spec.pricing) return undefined;
  return refuse(
    'repricing_seller',
    `${s.name} sets its own price (its scenario gives it the "${s.spec.pricing.strategy}" pricing strategy), ` +
      'so a fixed price would be undone at its next step; set the price of a seller without pricing, or take this one offline',
  );
}

/**
 * A seller changes its price while the market runs: it is rebuilt with the
 * new fixed price on the same node and address, and its listing is updated
 * in the registry (signed by its node), so buyers see the new price in the
 * listing and in the next 402 quote. Tokens sold before the change were
 * minted by the old seller's keys and are not honoured any more. A repricing
 * seller is refused (`priceRefusal`).
 */
export async function reprice(
  s: MarketSeller,
  msat: number,
  world: World,
  market: Market,
  n: number,
): Promise<void> {
  const refused = priceRefusal(s);
  if (refused) throw new Error(refused.message);
  const spec = { ...s.spec, price: { kind: 'fixed' as const, msat } };
  const rng = world.rng.fork(`seller/${s.name}/price-${n}`);
  const seller = await createSeller(sellerConfig(spec, s.name), {
    node: s.node,
    clock: world.clock,
    rng,
    secrets: world.secretsFor(rng),
    onEvent: market.revenue.listener(s.name, s.group),
    ...(s.beforeWork && { beforeWork: s.beforeWork }),
  });
  const listing = advertise(seller.listing(s.baseUrl), spec);
  const r = await market.registry.client.update(
    listingId(s.listing.nodePubkey, s.listing.url),
    listing,
    await nodeSigner(s.node),
  );
  if (!r.ok) throw new Error(`updating the listing of ${s.name} failed: ${r.code}: ${r.message}`);
  s.seller = seller;
  s.spec = spec;
  s.listing = listing;
}
