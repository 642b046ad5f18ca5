import { describe, expect, it } from 'vitest';
import type { ResellerOptions } from '../../agents/resale/index.js';
import { drive } from '../buyer/market.js';
import { CANCEL_ALL, resaleMarket, SLICE_URL } from './reseller-market.js';

/** The reseller set to oversell (`ResellerOptions.oversell`), which `ResaleMarketChoices` does not pick. */
const OVERSELL: Pick<ResellerOptions, 'oversell'> = { oversell: true };

/** The origin's 20-call bundle for 30,000 msat, plus the hub's fee (100 + 1,000 ppm). */
const BUNDLE_COST_MSAT = 30_130;

describe("a reseller retires a bundle on the origin's word, not on its buyers' cancels alone", () => {
  it('8 rounds of one honest checked slice then 3 free cancels, 1-call slices of 20-call bundles: 2 bundles bought (60,260 msat), 6 checks at the origin, 13 calls served; the attacker pays 0 (before: 7 bundles, 210,910 msat, 7 calls served)', async () => {
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subs: 2,
      subBudgetMsat: 10_000_000,
      origin: { maxCalls: 20, priceMsat: 30_000 },
      upstream: { url: 'http://origin.test/v1/data', hints: { quotedPriceMsat: 30_000 } },
      slice: { calls: 1, validForSec: 600, priceMsat: 2_500 },
    });
    const [honest, attacker] = agents;
    const attackerBefore = await m.balance(subNodes[1]!);
    const honestOutcomes: string[] = [];
    const attackerOutcomes: Record<string, number> = {};
    for (let round = 0; round < 8; round++) {
      const h = await drive(m.clock, honest!.buySlice(SLICE_URL, {}, { url: origin.url }));
      honestOutcomes.push(h.result.outcome);
      for (let k = 0; k < 3; k++) {
        const a = await drive(m.clock, attacker!.buySlice(SLICE_URL, {}, CANCEL_ALL));
        attackerOutcomes[a.result.outcome] = (attackerOutcomes[a.result.outcome] ?? 0) + 1;
      }
    }

    // Each round's 3 cancels make the next claim check the bundle with one call, which the origin
    // serves: the streak starts over. The 20th call of the first bundle goes to the fifth check.
    // The 8th round meets the credit limit (20 slices unpaid in 600 s), as before.
    expect(honestOutcomes).toEqual([...Array(7).fill('success'), 'seller_error']);
    expect(attackerOutcomes).toEqual({ slice_refused: 20, seller_error: 4 });
    expect(attackerBefore - (await m.balance(subNodes[1]!))).toBe(0);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 2,
      costMsat: 2 * BUNDLE_COST_MSAT,
      slicesDelivered: 27,
      slicesSold: 7,
      slicesRefused: 20,
      creditRefusals: 5,
      bundleChecks: 6,
    });
    expect(origin.served).toBe(7 + 6);
  });

  it('a bundle whose calls are all reserved at the origin is still retired: a reseller set to oversell sells ten 1-call slices of a 6-call bundle, 6 paid, 3 refused in a row, one check refused by the origin (nothing served), the tenth cut from a new bundle and paid', async () => {
    const { m, origin, reseller, agents } = resaleMarket({
      slice: { calls: 1, validForSec: 600, priceMsat: 1_000 },
      slicesPerBundle: 10,
      ...OVERSELL,
      subBudgetMsat: 1_000_000,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++)
      outcomes.push(
        (await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }))).result.outcome,
      );

    expect(outcomes).toEqual([...Array(6).fill('success'), ...Array(3).fill('slice_refused'), 'success']);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 2,
      slicesSold: 7,
      slicesRefused: 3,
      bundleChecks: 1,
      failures: 0,
    });
    // The three refused slices' first calls, then the reseller's check: all four refused as used up.
    const rejected = origin.events.filter((e) => e.type === 'rejected').map((e) => e.reason);
    expect(rejected).toEqual(Array(4).fill('quota_exhausted'));
    expect(origin.served).toBe(7);
  });
});
