import { insecureSeededSecrets } from '../../infra/random.js';
import { createSeller } from '../../services/sellers/seller.js';
import { listingId, nodeSigner } from '../../services/registry/index.js';
import type { Market } from '../market/market.js';
import { advertise, sellerConfig, type MarketSeller } from '../market/sellers.js';
import type { World } from '../market/world.js';
import { postPrice } from '../market/repricing.js';

/**
 * A seller changes its price while the market runs (a repricing seller
 * posts it as its own strategy would, see `postPrice`); any other seller is rebuilt
 * with the new fixed price on the same node and address, and its listing is
 * updated in the registry (signed by its node), so buyers see the new price
 * in the listing and in the next 402 quote. Tokens sold before the change
 * were minted by the old seller's keys and are not honoured any more.
 */
export async function reprice(
  s: MarketSeller,
  msat: number,
  world: World,
  market: Market,
  n: number,
): Promise<void> {
  // A seller that reprices by itself takes the new price as its own next step would.
  if (s.spec.pricing) return postPrice(s, msat, market.registry);
  const spec = { ...s.spec, price: { kind: 'fixed' as const, msat } };
  const rng = world.rng.fork(`seller/${s.name}/price-${n}`);
  const seller = await createSeller(sellerConfig(spec, s.name), {
    node: s.node,
    clock: world.clock,
    rng,
    // As every simulated seller: the run repeats from the seed (never do this facing real buyers).
    secrets: insecureSeededSecrets(rng),
    onEvent: market.revenue.listener(s.name, s.group),
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
