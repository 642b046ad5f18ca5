import { describe, expect, it } from 'vitest';
import type { ResellerOptions } from '../../agents/resale/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_FEE_MSAT, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

/** The reseller set to oversell (`ResellerOptions.oversell`), which `ResaleMarketChoices` does not pick. */
const OVERSELL: Pick<ResellerOptions, 'oversell'> = { oversell: true };

describe('a bundle oversold by a reseller set to oversell: the slices that do not fit are refused at their check, whatever the order of calls', () => {
  it('a reseller set to oversell sells four 2-call slices of a 6-call bundle, each checked before any second call: three are paid 12,112 msat and served 2 calls, the fourth is refused at the origin and costs 0', async () => {
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      slicesPerBundle: 4,
      ...OVERSELL,
      subs: 4,
      subBudgetMsat: 15_000,
    });
    const check = { url: origin.url };
    const before = await Promise.all(subNodes.map((n) => m.balance(n)));
    const buys = [];
    for (const sub of agents) buys.push((await drive(m.clock, sub.buySlice(SLICE_URL, {}, check))).result);
    const seconds = [];
    for (const sub of agents) seconds.push((await drive(m.clock, sub.call(origin.url))).outcome);
    const after = await Promise.all(subNodes.map((n) => m.balance(n)));

    expect(buys.map((b) => b.outcome)).toEqual(['success', 'success', 'success', 'slice_refused']);
    expect(buys[3]!.reason).toBe(
      'the slice failed its first call at http://origin.test/v1/data (token_refused: the seller refused a held token with calls left (HTTP 402 quota_exhausted))',
    );
    expect(seconds).toEqual(['success', 'success', 'success', 'policy_denied']);
    const paid = SLICE_MSAT + SLICE_FEE_MSAT;
    expect(before.map((b, i) => b - after[i]!)).toEqual([paid, paid, paid, 0]);
    expect(origin.served).toBe(6);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 3, slicesRefused: 1 });
  });
});

describe('a reseller stops selling from a bundle whose slices are refused in a row, also after some were paid', () => {
  it('a reseller set to oversell sells ten 1-call slices of a 6-call bundle: 6 paid, 3 refused in a row, then the tenth is cut from a new bundle and paid', async () => {
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
      failures: 0,
    });
    expect(origin.served).toBe(7);
  });
});
