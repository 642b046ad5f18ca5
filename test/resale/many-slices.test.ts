import { describe, expect, it } from 'vitest';
import { drive } from '../buyer/market.js';
import type { SellerSpec } from '../buyer/market.js';
import { resaleMarket, SLICE_URL } from './reseller-market.js';

/** 70 one-call slices of the origin's `origin` tier, each checked at the origin: outcomes counted, and the market. */
async function seventySlices(origin: Partial<SellerSpec>) {
  const market = resaleMarket({
    origin: { priceMsat: 30_000, ...origin },
    slice: { calls: 1, validForSec: 600, priceMsat: 1_000 },
    subBudgetMsat: 1_000_000,
  });
  const { m, agents } = market;
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < 70; i++) {
    const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: market.origin.url }));
    outcomes[b.result.outcome] = (outcomes[b.result.outcome] ?? 0) + 1;
  }
  return { ...market, outcomes };
}

describe('a bundle or time pass cut into more than 64 slices serves every slice', () => {
  it('a 70-call bundle sold as 70 one-call slices: all 70 paid and served from one bundle', async () => {
    const { origin, reseller, outcomes } = await seventySlices({ maxCalls: 70 });

    expect(outcomes).toEqual({ success: 70 });
    expect(origin.served).toBe(70);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 70, slicesRefused: 0 });
  });

  it('an hour pass sold as 70 one-call slices: all 70 paid and served from one pass', async () => {
    const { origin, reseller, outcomes } = await seventySlices({
      maxCalls: undefined,
      tokenLifetimeSec: 3_600,
    });

    expect(outcomes).toEqual({ success: 70 });
    expect(origin.served).toBe(70);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 70, slicesRefused: 0 });
  });
});
