import { describe, expect, it } from 'vitest';
import { attenuate, caveats, formatAuthorization, formatCaveat } from '../../infra/l402/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_FEE_MSAT, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

describe('a slice buyer stacking max_calls caveats leaves the other slices of its bundle working', () => {
  it('after sub-0 calls the origin with copies carrying 6 more origin_max_calls caveats each, sub-1 (checking) and sub-2 (not checking) are each served for 12,000 + 112 msat', async () => {
    const { m, origin, agents, subNodes } = resaleMarket({ subs: 3, subBudgetMsat: 1_000_000 });
    const bought = await drive(m.clock, agents[0]!.buySlice(SLICE_URL));
    const slice = bought.slice!;
    // 62 stacked caveats, as in the audit's flood, are refused before they are signed.
    expect(() =>
      attenuate(
        slice.macaroon,
        Array.from({ length: 62 }, () => caveats.maxCalls('origin', 2)),
      ),
    ).toThrow(expect.objectContaining({ code: 'invalid_caveat' }));
    // The most a copy may carry (8 in all), on both of the slice's calls, each copy new.
    const flood = (i: number) =>
      attenuate(slice.macaroon, [
        formatCaveat({ condition: 'nonce', value: String(i) }),
        ...Array.from({ length: 6 }, (_, j) => caveats.maxCalls('origin', j < 3 ? 2 : 1)),
      ]);
    const statuses: number[] = [];
    for (const i of [0, 1]) {
      const authorization = formatAuthorization({ macaroon: flood(i), preimage: slice.preimage });
      statuses.push((await drive(m.clock, m.fetch(origin.url, { headers: { authorization } }))).status);
    }

    const honest: unknown[] = [];
    for (const i of [1, 2]) {
      const before = await m.balance(subNodes[i]!);
      const check = i === 1 ? { url: origin.url } : undefined;
      const b = await drive(m.clock, agents[i]!.buySlice(SLICE_URL, {}, check));
      const first = check ? b.check : await drive(m.clock, agents[i]!.call(origin.url));
      honest.push([b.result.outcome, first?.outcome, before - (await m.balance(subNodes[i]!))]);
    }

    expect(statuses).toEqual([200, 200]);
    expect(honest).toEqual([
      ['success', 'success', SLICE_MSAT + SLICE_FEE_MSAT],
      ['success', 'success', SLICE_MSAT + SLICE_FEE_MSAT],
    ]);
    expect(origin.events.filter((e) => e.type === 'rejected').map((e) => e.reason)).toEqual([]);
  });
});
