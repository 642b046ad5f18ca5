import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { createPolicy, type PaymentPolicy } from '../../agents/policies/index.js';
import { formatChallenge } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { drive, makeMarket, type Market, type TestSeller } from '../buyer/market.js';

/**
 * A payment lookup the node does not answer (the connection drops) before a
 * send is no record: with no answer nothing is paid, the budget hold is
 * released and the purchase fails `payment_failed`. Real paywalls and
 * macaroons, signed invoices on the simnet; every 5,000 msat payment costs
 * 105 msat in fees, and every purchase holds 6,000 msat (price + fee ceiling).
 */

const PRICE_MSAT = 5_000;
const FEE_MSAT = 105;
const LIMIT_MSAT = 100_000;

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

function budget(m: Market): PaymentPolicy {
  return createPolicy(
    { name: 'budget_window', params: { limitMsat: LIMIT_MSAT, window: 'day' } },
    { clock: m.clock },
  );
}

/** What the budget holds now, read from its refusal of an offer over its limit (a refusal holds nothing). */
async function held(m: Market, policy: PaymentPolicy) {
  const offer = {
    amountMsat: LIMIT_MSAT + 1,
    maxFeeMsat: 0,
    url: 'http://probe.test/',
    host: 'probe.test',
    payee: '02',
  };
  const d = await policy.authorize(offer, { nowMs: m.clock.now() });
  const [, spent, reserved] = /\(spent (\d+), reserved (\d+)\)/.exec(d.kind === 'deny' ? d.reason : '') ?? [];
  return { spentMsat: Number(spent), reservedMsat: Number(reserved) };
}

/** The buyer's node, except that its `lookupPayment` calls numbered in `unanswered` (from 1) throw: a dropped connection. */
function droppingLookups(m: Market, unanswered: number[]): LightningNode {
  let n = 0;
  return new Proxy(m.buyer, {
    get(target, prop, receiver) {
      if (prop === 'lookupPayment')
        return async (hash: string) => {
          if (unanswered.includes(++n)) throw new Error('ECONNRESET: lost the node connection');
          return target.lookupPayment(hash);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
}

const unansweredReason = (paymentHash: string | undefined) =>
  `payment never started: the node did not answer the lookup of payment ${paymentHash} ` +
  '(ECONNRESET: lost the node connection); ' +
  'nothing was paid: buy again once the node answers';

describe('a payment lookup the node does not answer before paying', () => {
  it.each([false, true])(
    'sends nothing (pay-on-success %s): the purchase fails payment_failed, 0 msat leave the node, the seller serves nothing and the budget holds spent 0, reserved 0',
    async (payOnSuccess) => {
      const m = makeMarket();
      const s = m.addSeller({ name: 'alpha', priceMsat: PRICE_MSAT, payOnSuccess });
      const policy = budget(m);
      const pays: PurchaseEvent[] = [];
      const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
      const node = droppingLookups(m, [1]);
      const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, policy, onEvent });
      const before = await m.balance(m.buyer);

      const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess }));

      expect([r.outcome, r.paidMsat, r.feeMsat, r.reason]).toEqual([
        'payment_failed',
        0,
        0,
        unansweredReason(r.paymentHash),
      ]);
      expect(before - (await m.balance(m.buyer))).toBe(0);
      expect(s.served).toBe(0);
      expect(client.tokens.list()).toEqual([]);
      expect(await held(m, policy)).toEqual({ spentMsat: 0, reservedMsat: 0 });
      expect(pays.map((e) => e.step === 'pay' && [e.ok, e.amountMsat, e.feeMsat, e.failure])).toEqual([
        [false, PRICE_MSAT, 0, unansweredReason(r.paymentHash)],
      ]);
    },
  );

  it('of an invoice the node paid before (a seller serving it again) is not charged again: 5,105 msat leave the node, the budget holds spent 5,105, reserved 0, and one pay ok event reports it', async () => {
    const m = makeMarket();
    const evil = sameInvoiceSeller(m);
    const policy = budget(m);
    const pays: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
    // Lookup 1 answers (no record: the first purchase pays); the next ones, the second purchase's, do not.
    const node = droppingLookups(m, [2, 3]);
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, policy, onEvent });
    const before = await m.balance(m.buyer);

    const first = await drive(m.clock, client.purchase(evil.url));
    const again = await drive(m.clock, client.purchase(evil.url));

    expect([first, again].map((r) => [r.outcome, r.paidMsat, r.feeMsat])).toEqual([
      ['token_rejected', PRICE_MSAT, FEE_MSAT],
      ['payment_failed', 0, 0],
    ]);
    expect(again.reason).toBe(unansweredReason(first.paymentHash));
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(await held(m, policy)).toEqual({ spentMsat: 5_105, reservedMsat: 0 });
    expect(pays.map((e) => e.step === 'pay' && [e.ok, e.amountMsat, e.feeMsat])).toEqual([
      [true, PRICE_MSAT, FEE_MSAT],
      [false, PRICE_MSAT, 0],
    ]);
  });
});
