import { describe, expect, it } from 'vitest';
import { drive } from '../buyer/market.js';
import { CANCEL_ALL, resaleMarket, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

describe('the reseller’s credit limit holds against paid retries that arrive together', () => {
  it('six buyers that cancel every slice, all at once, under a limit of 2: 2 slices go out, 4 paid retries get 503 credit_exhausted, and all six pay 0 msat', async () => {
    const { m, reseller, agents } = resaleMarket({ subs: 6, creditLimit: { slices: 2, windowSec: 600 } });
    const nodes = agents.map((_, i) => m.net.node(`sub-${i}`));
    const before = await Promise.all(nodes.map((n) => m.balance(n)));
    const bought = await drive(
      m.clock,
      Promise.all(agents.map((a) => a.buySlice(SLICE_URL, {}, CANCEL_ALL))),
    );

    expect(bought.map(({ result: r }) => [r.outcome, r.status, r.paidMsat])).toEqual([
      ['slice_refused', 200, 0],
      ['slice_refused', 200, 0],
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
    ]);
    expect(await Promise.all(nodes.map((n) => m.balance(n)))).toEqual(before);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 1,
      slicesDelivered: 2,
      slicesRefused: 2,
      creditRefusals: 4,
    });
  });

  it('six buyers that check and pay, all at once, under a limit of 2: 2 are sold, 4 are refunded 503 (slices not yet paid hold credit), and those 4 buy one by one afterwards', async () => {
    const { m, origin, reseller, agents } = resaleMarket({
      subs: 6,
      creditLimit: { slices: 2, windowSec: 600 },
    });
    const check = { url: origin.url };
    const burst = await drive(m.clock, Promise.all(agents.map((a) => a.buySlice(SLICE_URL, {}, check))));
    const later = [];
    for (const a of agents.slice(2)) later.push(await drive(m.clock, a.buySlice(SLICE_URL, {}, check)));

    expect(burst.map(({ result: r }) => [r.outcome, r.status, r.paidMsat])).toEqual([
      ['success', 200, SLICE_MSAT],
      ['success', 200, SLICE_MSAT],
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
      ['not_delivered', 503, 0],
    ]);
    expect(later.map(({ result: r }) => [r.outcome, r.paidMsat])).toEqual(
      Array(4).fill(['success', SLICE_MSAT]),
    );
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 2,
      slicesDelivered: 6,
      slicesSold: 6,
      creditRefusals: 4,
    });
  });
});

describe('with the credit limit reached, nothing but a paid retry gets an invoice', () => {
  it.each([
    ['no Authorization', undefined],
    ['a Bearer token', 'Bearer abc'],
    ['an L402 credential the paywall would reject', `L402 AgEEbHNhdAJC:${'00'.repeat(32)}`],
  ])('%s: 503 credit_exhausted, Retry-After 600, no invoice', async (_what, authorization) => {
    const { m, reseller, agents } = resaleMarket({ creditLimit: { slices: 1, windowSec: 600 } });
    await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, CANCEL_ALL));
    const res = await drive(m.clock, m.fetch(SLICE_URL, { headers: authorization ? { authorization } : {} }));

    expect(res.status).toBe(503);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('retry-after')).toBe('600');
    expect(((await res.json()) as { error: string }).error).toBe('credit_exhausted');
    expect(reseller.stats()).toMatchObject({ slicesDelivered: 1, creditRefusals: 1 });
  });
});
