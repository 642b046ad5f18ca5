import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createSubAgent, type ResellerOptions } from '../../agents/resale/index.js';
import { createMinter, DerivedRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { drive, makeMarket } from '../buyer/market.js';
import {
  resaleMarket,
  SLICE_FEE_MSAT,
  SLICE_MSAT,
  SLICE_URL,
  type ResaleMarketChoices,
} from '../resale/reseller-market.js';

/**
 * origin (a 6-call bundle for 30,000) → reseller (2-call slices at 12,000,
 * `slicesPerBundle` of them per bundle, whatever it holds when set to `oversell`) → sub-agents with 15,000 msat budgets, on one simnet.
 */
function resale({
  failedSettles = 0,
  ...choices
}: Pick<ResaleMarketChoices, 'slicesPerBundle' | 'creditLimit' | 'subs'> &
  Pick<ResellerOptions, 'oversell'> & {
    /** The reseller's node throws on its first `failedSettles` settles (a node restarting). */
    failedSettles?: number;
  } = {}) {
  const settles = { tried: 0 };
  const market = resaleMarket({
    ...choices,
    subBudgetMsat: 15_000,
    resellerNode: (node) =>
      new Proxy(node, {
        get(target, key) {
          if (key === 'settleInvoice')
            return async (preimage: string) => {
              if (++settles.tried <= failedSettles) throw new Error('node restarting');
              return target.settleInvoice(preimage);
            };
          const v: unknown = Reflect.get(target, key, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }),
  });
  return { ...market, settles, check: { url: market.origin.url } };
}

describe('resale slices settle only once the slice works at the origin', () => {
  it('a working slice is paid exactly once its first call succeeded: 12,000 + 112 fee, one call left on it', async () => {
    const { m, origin, node, reseller, agents, check } = resale();
    const sub = agents[0]!;
    const subNode = m.net.node('sub-0');
    const [subBefore, resellerBefore] = [await m.balance(subNode), await m.balance(node)];
    const bought = await drive(m.clock, sub.buySlice(SLICE_URL, {}, check));
    expect(bought.result).toMatchObject({
      outcome: 'success',
      paidMsat: SLICE_MSAT,
      feeMsat: SLICE_FEE_MSAT,
    });
    expect(bought.check).toMatchObject({ outcome: 'success', paidMsat: 0, status: 200 });
    expect(subBefore - (await m.balance(subNode))).toBe(SLICE_MSAT + SLICE_FEE_MSAT);
    expect((await m.balance(node)) - resellerBefore).toBe(SLICE_MSAT - reseller.stats().costMsat);
    // The check was the slice's first call: one left, then the slice is spent.
    const rest = [await drive(m.clock, sub.call(origin.url)), await drive(m.clock, sub.call(origin.url))];
    expect(rest.map((r) => r.outcome)).toEqual(['success', 'quota_exhausted']);
    expect(origin.served).toBe(2);
    expect(reseller.stats()).toMatchObject({ slicesDelivered: 1, slicesSold: 1, slicesRefused: 0 });
  });

  it('a settle the reseller’s node could not take at once is sent again after Retry-After: the slice is paid once', async () => {
    const { m, reseller, agents, settles, check } = resale({ failedSettles: 1 });
    const subNode = m.net.node('sub-0');
    const before = await m.balance(subNode);
    const bought = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, check));
    expect(bought.result).toMatchObject({
      outcome: 'success',
      paidMsat: SLICE_MSAT,
      feeMsat: SLICE_FEE_MSAT,
    });
    expect(settles.tried).toBe(2);
    expect(before - (await m.balance(subNode))).toBe(SLICE_MSAT + SLICE_FEE_MSAT);
    expect(reseller.stats()).toMatchObject({ slicesSold: 1, revenueMsat: SLICE_MSAT });
  });

  it('a slice oversold by a reseller set to oversell, refused by the origin, costs its buyer 0 msat and ends as slice_refused', async () => {
    // Four 2-call slices of a 6-call bundle: the fourth has no calls left at the origin.
    const { m, origin, reseller, agents, check } = resale({ slicesPerBundle: 4, oversell: true, subs: 4 });
    for (const sub of agents.slice(0, 3)) {
      const { result } = await drive(m.clock, sub.buySlice(SLICE_URL, {}, check));
      expect(result.outcome).toBe('success');
      // The check made the first call; the second uses up the slice.
      expect((await drive(m.clock, sub.call(origin.url))).outcome).toBe('success');
    }
    const last = agents[3]!;
    const lastNode = m.net.node('sub-3');
    const before = await m.balance(lastNode);
    const bought = await drive(m.clock, last.buySlice(SLICE_URL, {}, check));
    expect(bought.result).toMatchObject({ outcome: 'slice_refused', paidMsat: 0, feeMsat: 0 });
    expect(bought.result.reason).toContain('token_refused');
    expect(bought.check).toMatchObject({ outcome: 'token_refused', paidMsat: 0 });
    expect(bought.slice).toBeUndefined();
    expect(await m.balance(lastNode)).toBe(before);
    expect(await m.net.node('reseller').lookupInvoice(bought.result.paymentHash!)).toMatchObject({
      state: 'canceled',
    });
    expect(reseller.stats()).toMatchObject({
      slicesDelivered: 4,
      slicesSold: 3,
      slicesRefused: 1,
      revenueMsat: 3 * SLICE_MSAT,
    });
    // The three good slices made their six calls; the origin refused the fourth's first.
    expect(origin.served).toBe(6);
  });

  it('a buyer that cancels every slice gets 2 (the credit limit); then no slice is sold to anyone, before any invoice, until the window has passed', async () => {
    const { m, reseller, agents, check } = resale({ subs: 2, creditLimit: { slices: 2, windowSec: 600 } });
    const [griefer, honest] = [agents[0]!, agents[1]!];
    // The griefer's own check fails (its check URL answers nothing), so it cancels each slice it got.
    const cancelAll = { url: 'http://nowhere.test/v1/data' };
    for (let i = 0; i < 2; i++) {
      const { result } = await drive(m.clock, griefer.buySlice(SLICE_URL, {}, cancelAll));
      expect(result).toMatchObject({ outcome: 'slice_refused', paidMsat: 0 });
    }
    const refused = [
      await drive(m.clock, griefer.buySlice(SLICE_URL, {}, cancelAll)),
      await drive(m.clock, honest.buySlice(SLICE_URL, {}, check)),
    ];
    expect(refused.map(({ result: r }) => [r.outcome, r.status, r.paidMsat])).toEqual([
      ['seller_error', 503, 0],
      ['seller_error', 503, 0],
    ]);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 1,
      slicesDelivered: 2,
      slicesRefused: 2,
      creditRefusals: 2,
    });
    await m.clock.advance(600_000);
    const later = await drive(m.clock, honest.buySlice(SLICE_URL, {}, check));
    expect(later.result).toMatchObject({ outcome: 'success', paidMsat: SLICE_MSAT, feeMsat: SLICE_FEE_MSAT });
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesDelivered: 3, slicesSold: 1 });
  });

  it('a reseller whose paywall answers 2xx with a forged slice is not paid', async () => {
    const m = makeMarket();
    const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6 });
    const node = m.addNode('forger', { toHub: true });
    m.net.openChannel(m.hub, node, { capacityMsat: 50_000_000, baseFeeMsat: 100, feeRatePpm: 1_000 });
    const keys = insecureSeededSecrets(m.rng.fork('forger'));
    const events: PaywallEvent[] = [];
    const app = new Hono();
    app.get(
      '/slice',
      l402Paywall({
        node,
        minter: createMinter({
          rootKeys: new DerivedRootKeyStore(keys.fork('root').bytes(32)),
          randomBytes: (n) => keys.bytes(n),
        }),
        clock: m.clock,
        service: 'forged-slices',
        price: SLICE_MSAT,
        payOnSuccess: true,
        buyerRelease: true,
        secrets: keys.fork('preimages'),
        onEvent: (e) => events.push(e),
      }),
      // A slice of the right shape whose macaroon the origin never minted.
      (c) =>
        c.json({
          origin: 'http://origin.test',
          service: 'origin',
          macaroon: 'AgEEbHNhdAJCAAAfakefakefakefakefakefakefakefakefakefakefakefakefakefakefake',
          preimage: '00'.repeat(32),
          calls: 2,
        }),
    );
    m.mount('forger.test', app);
    const sub = createSubAgent({
      name: 'sub',
      node: m.addNode('sub', { toHub: true }),
      fetch: m.fetch,
      clock: m.clock,
      budgetMsat: 15_000,
    });
    const before = await m.balance(m.net.node('sub'));
    const bought = await drive(m.clock, sub.buySlice('http://forger.test/slice', {}, { url: origin.url }));
    expect(bought.result).toMatchObject({ outcome: 'slice_refused', paidMsat: 0, feeMsat: 0 });
    expect(await m.balance(m.net.node('sub'))).toBe(before);
    expect(events.filter((e) => e.type === 'settled' || e.type === 'refunded')).toMatchObject([
      { type: 'refunded', reason: 'buyer_canceled', priceMsat: SLICE_MSAT },
    ]);
  });
});
