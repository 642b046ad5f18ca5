import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import type { LightningNode, Payment } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket, type Market } from './market.js';

const DAY_MS = 86_400_000;

/**
 * The buyer's node, except that its first `pay` loses the node connection
 * once the payment is out (in flight on the 100 ms links): the client's
 * purchase ends as `payment_timeout` with the token pending. `lookup` may
 * rewrite what `lookupPayment` answers.
 */
function losingFirstAnswer(m: Market, lookup = (p: Payment | undefined) => p): LightningNode {
  let lose = true;
  return new Proxy(m.buyer, {
    get(target, prop, receiver) {
      if (prop === 'pay')
        return async (bolt11: string, opts: Parameters<LightningNode['pay']>[1]) => {
          const sent = target.pay(bolt11, opts);
          if (!lose) return sent;
          lose = false;
          sent.catch(() => {});
          await settle();
          throw new Error('ECONNRESET: lost the node connection mid-payment');
        };
      if (prop === 'lookupPayment') return async (hash: string) => lookup(await target.lookupPayment(hash));
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
}

/** Three 5,000 msat sellers and a client under a 12,000 msat/day budget (each purchase holds 6,000: price + fee ceiling). */
function budgetMarket(lookup?: (p: Payment | undefined) => Payment | undefined) {
  const m = makeMarket({ latency: fixedLatency(100) });
  const [a, b, c] = ['a', 'b', 'c'].map((name) => m.addSeller({ name, priceMsat: 5_000 }));
  const policy = createPolicy(
    { name: 'budget_window', params: { limitMsat: 12_000, window: 'day' } },
    { clock: m.clock },
  );
  const node = losingFirstAnswer(m, lookup);
  const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, policy });
  return { m, a: a!, b: b!, c: c!, client };
}

describe('the budget hold of a payment whose fate was unknown', () => {
  it('is settled at the real cost (5,105 msat) when recover() finds the payment succeeded: the budget then holds spent 10210, reserved 0', async () => {
    const { m, a, b, c, client } = budgetMarket();
    const before = await m.balance(m.buyer);
    const first = await drive(m.clock, client.purchase(a.url));
    expect(first).toMatchObject({ outcome: 'payment_timeout', paidMsat: 0 });
    await m.clock.runUntilIdle();
    await settle(20);
    expect(await client.recover()).toEqual({ completed: 1, dropped: 0, inFlight: 0 });

    expect(await drive(m.clock, client.purchase(b.url))).toMatchObject({
      outcome: 'success',
      paidMsat: 5_000,
    });
    const refused = await drive(m.clock, client.purchase(c.url));
    expect(refused).toMatchObject({ outcome: 'over_budget', paidMsat: 0 });
    expect(refused.reason).toBe(
      'budget_window: 6000 msat (price + fee ceiling) would exceed the limit of 12000 msat (spent 10210, reserved 0)',
    );
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
  });

  it('ages out with its spend: three days after a recovered payment, two 5,000 msat purchases fit the 12,000 msat/day budget', async () => {
    const { m, a, b, c, client } = budgetMarket();
    expect(await drive(m.clock, client.purchase(a.url))).toMatchObject({ outcome: 'payment_timeout' });
    await m.clock.runUntilIdle();
    await settle(20);
    expect(await client.recover()).toEqual({ completed: 1, dropped: 0, inFlight: 0 });
    await m.clock.advance(3 * DAY_MS);

    const later = [
      await drive(m.clock, client.purchase(b.url)),
      await drive(m.clock, client.purchase(c.url)),
    ];
    expect(later.map((r) => [r.outcome, r.paidMsat])).toEqual([
      ['success', 5_000],
      ['success', 5_000],
    ]);
  });

  it('is settled when the next purchase of the resource completes the pending token: that purchase reuses it (0 msat) and the budget holds spent 10210, reserved 0', async () => {
    const { m, a, b, c, client } = budgetMarket();
    expect(await drive(m.clock, client.purchase(a.url))).toMatchObject({ outcome: 'payment_timeout' });
    await m.clock.runUntilIdle();
    await settle(20);

    const again = await drive(m.clock, client.purchase(a.url));
    expect(again).toMatchObject({ outcome: 'success', tokenReused: true, paidMsat: 0 });
    expect(await drive(m.clock, client.purchase(b.url))).toMatchObject({
      outcome: 'success',
      paidMsat: 5_000,
    });
    const refused = await drive(m.clock, client.purchase(c.url));
    expect(refused.reason).toBe(
      'budget_window: 6000 msat (price + fee ceiling) would exceed the limit of 12000 msat (spent 10210, reserved 0)',
    );
  });

  it('is released when recover() finds the payment failed: the token is dropped, 0 msat spent, and two 5,000 msat purchases fit the same day', async () => {
    const { m, a, b, c, client } = budgetMarket();
    const before = await m.balance(m.buyer);
    // Ends before the clock moves: the HTLC is still on its way.
    const first = await client.purchase(a.url);
    expect(first).toMatchObject({ outcome: 'payment_timeout' });
    // The seller cancels the invoice before the HTLC arrives: the payment fails.
    await a.node.cancelInvoice(first.paymentHash!);
    await m.clock.runUntilIdle();
    await settle(20);
    expect(await client.recover()).toEqual({ completed: 0, dropped: 1, inFlight: 0 });
    expect(client.tokens.list()).toEqual([]);
    expect(await m.balance(m.buyer)).toBe(before);

    const later = [
      await drive(m.clock, client.purchase(b.url)),
      await drive(m.clock, client.purchase(c.url)),
    ];
    expect(later.map((r) => [r.outcome, r.paidMsat])).toEqual([
      ['success', 5_000],
      ['success', 5_000],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
  });

  it('stays held, and the token pending, while the node reports a success whose preimage does not open the hash: recover() counts it in flight and a retry pays nothing', async () => {
    const bogus = (p: Payment | undefined) => p && { ...p, preimage: '00'.repeat(32) };
    const { m, a, b, client } = budgetMarket(bogus);
    const before = await m.balance(m.buyer);
    expect(await drive(m.clock, client.purchase(a.url))).toMatchObject({ outcome: 'payment_timeout' });
    await m.clock.runUntilIdle();
    await settle(20);

    expect(await client.recover()).toEqual({ completed: 0, dropped: 0, inFlight: 1 });
    expect(client.tokens.list().map((t) => t.state)).toEqual(['pending']);
    const retry = await drive(m.clock, client.purchase(a.url));
    expect(retry).toMatchObject({ outcome: 'payment_timeout', paidMsat: 0 });
    // The 6,000 msat hold is kept: 6,000 more fits the 12,000 limit, nothing beyond.
    expect(await drive(m.clock, client.purchase(b.url))).toMatchObject({
      outcome: 'success',
      paidMsat: 5_000,
    });
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
  });
});
