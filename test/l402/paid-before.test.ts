import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { createPolicy, type PaymentPolicy } from '../../agents/policies/index.js';
import { formatChallenge } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket, type Market, type TestSeller } from '../buyer/market.js';

/**
 * An invoice the buyer's node paid (or is paying) before a purchase is not a
 * new payment: the purchase pays 0 msat and its budget hold is released. Real
 * paywalls and macaroons, signed invoices on the simnet; every 5,000 msat
 * payment costs 105 msat in fees, and every purchase holds 6,000 msat (price
 * + fee ceiling) until it ends.
 */

const PRICE_MSAT = 5_000;
const FEE_MSAT = 105;

/** The seller `evil`: one invoice, minted once, served in a 402 on every path to every request, token or not. */
function sameInvoiceSeller(m: Market): TestSeller {
  const evil = m.addSeller({ name: 'evil', priceMsat: PRICE_MSAT });
  let challenge: Promise<string> | undefined;
  const app = new Hono();
  app.get('/v1/*', async (c) => {
    challenge ??= (async () => {
      const inv = await evil.node.createInvoice({ amountMsat: PRICE_MSAT, expirySec: 3_600 });
      const minted = await evil.minter.mint({ paymentHash: inv.paymentHash, caveats: [] });
      return formatChallenge({ macaroon: minted.token, invoice: inv.paymentRequest });
    })();
    const body = { error: 'payment_required', reason: 'missing', priceMsat: PRICE_MSAT };
    return c.json(body, 402, { 'WWW-Authenticate': await challenge });
  });
  m.mount(evil.host, app);
  return evil;
}

/** Serves `s` behind its real paywall, except that a request without a token gets the first challenge again. */
function replayingFirstChallenge(m: Market, s: TestSeller): void {
  let first: string | undefined;
  const app = new Hono();
  app.all('*', async (c) => {
    if (first && !c.req.header('authorization')) {
      const body = { error: 'payment_required', reason: 'missing', priceMsat: s.spec.priceMsat };
      return c.json(body, 402, { 'WWW-Authenticate': first });
    }
    const res = await s.app.fetch(c.req.raw);
    if (res.status === 402) first ??= res.headers.get('WWW-Authenticate') ?? undefined;
    return res;
  });
  m.mount(s.host, app);
}

/** A budget of `limitMsat` a day. */
function budget(m: Market, limitMsat: number): PaymentPolicy {
  return createPolicy({ name: 'budget_window', params: { limitMsat, window: 'day' } }, { clock: m.clock });
}

/** What the budget holds now, read from its refusal of an offer of its whole limit (a refusal holds nothing). */
async function held(m: Market, policy: PaymentPolicy, limitMsat: number) {
  const offer = {
    amountMsat: limitMsat,
    maxFeeMsat: 0,
    url: 'http://probe.test/',
    host: 'probe.test',
    payee: '02',
  };
  const d = await policy.authorize(offer, { nowMs: m.clock.now() });
  const [, spent, reserved] = /\(spent (\d+), reserved (\d+)\)/.exec(d.kind === 'deny' ? d.reason : '') ?? [];
  return { spentMsat: Number(spent), reservedMsat: Number(reserved) };
}

/** The buyer's node, except that its first `pay` loses the node's answer once the payment is on its way. */
function losingFirstAnswer(m: Market): LightningNode {
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
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
}

describe('an invoice the node paid before is neither paid nor charged again', () => {
  it('a seller that keeps the money, refuses the token and serves the same invoice again is paid 5,105 msat once: the second purchase pays 0 on the first payment’s token, and a 12,000 msat/day budget still pays an honest seller (spent 10,210 msat, what left the node)', async () => {
    const m = makeMarket();
    const evil = sameInvoiceSeller(m);
    const honest = m.addSeller({ name: 'honest', priceMsat: PRICE_MSAT });
    const policy = budget(m, 12_000);
    const pays: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy, onEvent });
    const before = await m.balance(m.buyer);

    const first = await drive(m.clock, client.purchase(evil.url));
    const again = await drive(m.clock, client.purchase(evil.url));
    const other = await drive(m.clock, client.purchase(honest.url));

    expect([first, again, other].map((r) => [r.outcome, r.paidMsat, r.feeMsat])).toEqual([
      ['token_rejected', PRICE_MSAT, FEE_MSAT],
      ['token_rejected', 0, 0],
      ['success', PRICE_MSAT, FEE_MSAT],
    ]);
    // The token the second purchase sent was completed from the first payment's preimage.
    expect(again.preimage).toBe(first.preimage);
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
    expect(await held(m, policy, 12_000)).toEqual({ spentMsat: 10_210, reservedMsat: 0 });
    expect(pays.map((e) => e.step === 'pay' && [e.url, e.ok, e.amountMsat, e.feeMsat])).toEqual([
      [evil.url, true, PRICE_MSAT, FEE_MSAT],
      [honest.url, true, PRICE_MSAT, FEE_MSAT],
    ]);
  });

  it.each([false, true])(
    'a buyer that lost its token (a new client on the same node, pay-on-success %s) is served on the invoice it paid when the seller serves it again, paying 0 msat',
    async (payOnSuccess) => {
      const m = makeMarket();
      const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 3, payOnSuccess });
      replayingFirstChallenge(m, s);
      const policy = budget(m, 100_000);
      const buy = () => createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
      const before = await m.balance(m.buyer);

      const first = await drive(m.clock, buy().purchase(s.url, {}, { payOnSuccess }));
      const paid = before - (await m.balance(m.buyer));
      const later = await drive(m.clock, buy().purchase(s.url, {}, { payOnSuccess }));

      expect([first, later].map((r) => [r.outcome, r.paidMsat])).toEqual([
        ['success', 10_000],
        ['success', 0],
      ]);
      expect(later.preimage).toBe(first.preimage);
      expect(paid).toBe(10_000 + first.feeMsat);
      expect(before - (await m.balance(m.buyer))).toBe(paid);
      expect(await held(m, policy, 100_000)).toEqual({ spentMsat: paid, reservedMsat: 0 });
      expect(s.served).toBe(2);
    },
  );

  it('a seller serving one invoice on two paths bought at once is paid 5,105 msat once: one purchase pays it, the other 0, and the budget holds spent 5,105, reserved 0', async () => {
    const m = makeMarket({ latency: fixedLatency(100) });
    const evil = sameInvoiceSeller(m);
    const policy = budget(m, 100_000);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
    const before = await m.balance(m.buyer);

    const both = await drive(
      m.clock,
      Promise.all([client.purchase(`http://${evil.host}/v1/a`), client.purchase(`http://${evil.host}/v1/b`)]),
    );

    expect(both.map((r) => [r.outcome, r.paidMsat, r.feeMsat])).toEqual([
      ['token_rejected', PRICE_MSAT, FEE_MSAT],
      ['token_rejected', 0, 0],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(await held(m, policy, 100_000)).toEqual({ spentMsat: 5_105, reservedMsat: 0 });
  });

  it('a second path of one invoice bought while the first payment’s answer was lost (in flight) pays nothing and holds nothing; recovery settles the first: the budget holds spent 5,105, reserved 0', async () => {
    const m = makeMarket({ latency: fixedLatency(100) });
    const evil = sameInvoiceSeller(m);
    const policy = budget(m, 100_000);
    const node = losingFirstAnswer(m);
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, policy });
    const before = await m.balance(m.buyer);

    // Both end before the clock moves: the payment is still on its 100 ms links.
    const a = await client.purchase(`http://${evil.host}/v1/a`);
    const b = await client.purchase(`http://${evil.host}/v1/b`);
    expect(await held(m, policy, 100_000)).toEqual({ spentMsat: 0, reservedMsat: 6_000 });
    await m.clock.runUntilIdle();
    await settle(20);
    const recovered = await client.recover();

    expect([a, b].map((r) => [r.outcome, r.paidMsat])).toEqual([
      ['payment_timeout', 0],
      ['payment_timeout', 0],
    ]);
    expect(b.reason).toBe(
      `this node's payment of invoice ${a.paymentHash}, begun before this purchase, is still in flight; ` +
        'nothing was paid now: buy again once that payment has ended',
    );
    expect(recovered).toEqual({ completed: 1, dropped: 0, inFlight: 0 });
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(await held(m, policy, 100_000)).toEqual({ spentMsat: 5_105, reservedMsat: 0 });
  });
});
