import { priceBounds } from '../../services/sellers/pricing.js';
import { tierBasePrice, unitPriceMsat } from '../../services/sellers/index.js';
import { ARCHETYPE_CAPABILITY, type SellerSpec } from './schema.js';
import type { ScenarioIssue } from './errors.js';

/**
 * An upstream purchase no seller can ever fill. For each call it sells, a seller buying upstream
 * runs a task of `calls` calls worth `maxPriceMsat` (default: its own unit price) with a
 * `cheapest` decider and no negotiation (sim/market/chain.ts). The decider takes an offer only
 * when its price is at most the value of the task calls it serves: floor(maxPriceMsat × covers /
 * calls), where covers is what the listing's first tier serves of the task (a single 1, a bundle
 * its calls up to the task's, a pass all of them). So the limit is per purchase of all `calls`
 * calls: a single call at P msat needs maxPriceMsat ≥ P × calls. When no seller's lowest possible
 * price fits, every upstream task fails and every call the seller sells is paid for and answered
 * 502: a scenario error, not a run to find out from.
 */

/** The least an offer of `x`'s first tier can ask, and how many of a `calls`-call task it serves. */
function lowestOffer(x: SellerSpec, calls: number): { priceMsat: number; covers: number } {
  const tier = x.tiers[0]!;
  // Dynamic prices and overcharging only raise a quote from its base; repricing can lower the unit to its floor.
  let unit = unitPriceMsat(x.price);
  if (x.pricing && x.price.kind === 'fixed')
    unit = Math.min(unit, priceBounds(x.pricing, x.costMsat, x.price.msat).floorMsat);
  const covers = tier.kind === 'single' ? 1 : tier.kind === 'bundle' ? Math.min(tier.calls, calls) : calls;
  return { priceMsat: tierBasePrice(tier, unit), covers };
}

/** The least maxPriceMsat for which an offer of `priceMsat` serving `covers` of `calls` calls is taken. */
const neededMsat = (priceMsat: number, covers: number, calls: number) =>
  Math.ceil((priceMsat * calls) / covers);

/** How an offer reads in a message: `2000 msat a call`, `8000 msat for the 2 calls`, `8000 msat for 4 of the 6 calls`. */
function offerText(o: { priceMsat: number; covers: number }, calls: number): string {
  if (o.covers === 1) return `${o.priceMsat} msat a call`;
  return `${o.priceMsat} msat for ${o.covers === calls ? 'the' : `${o.covers} of the`} ${calls} calls`;
}

/** Every upstream purchase whose maxPriceMsat is below the cheapest offer any seller of its capability can make. */
export function checkUpstreamPrices(sellers: readonly SellerSpec[]): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  sellers.forEach((g, i) => {
    g.upstream.forEach((u, j) => {
      const sources = sellers.filter((x) => x !== g && ARCHETYPE_CAPABILITY[x.archetype] === u.capability);
      // No seller of it at all is another check's error.
      if (sources.length === 0) return;
      const offers = sources.map((x) => ({ name: x.name, ...lowestOffer(x, u.calls) }));
      const need = (o: (typeof offers)[number]) => neededMsat(o.priceMsat, o.covers, u.calls);
      const best = offers.reduce((a, b) => (need(b) < need(a) ? b : a));
      const pays = u.maxPriceMsat ?? unitPriceMsat(g.price);
      if (pays >= need(best)) return;
      const calls = u.calls === 1 ? '1 call' : `${u.calls} calls`;
      const limit = u.maxPriceMsat === undefined ? 'maxPriceMsat left out: its own price' : 'maxPriceMsat';
      issues.push({
        path: `sellers[${i}].upstream[${j}]${u.maxPriceMsat === undefined ? '' : '.maxPriceMsat'}`,
        message:
          `"${g.name}" buys ${calls} of "${u.capability}" for each call it sells and pays at most ${pays} msat for ${u.calls === 1 ? 'it' : 'them'} (${limit}), ` +
          `but the cheapest upstream price needs at least ${need(best)} msat: "${best.name}" at ${offerText(best, u.calls)}. ` +
          `No upstream purchase would go through: every call "${g.name}" sells would be paid for and answered 502. ` +
          `Set maxPriceMsat to at least ${need(best)}${u.calls > 1 ? ', or buy fewer calls' : ''}`,
      });
    });
  });
  return issues;
}
