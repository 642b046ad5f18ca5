import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import type { LightningNode, Payment, PaymentFailureReason } from '../../infra/lightning/node.js';
import { drive, makeMarket, type Market } from './market.js';

const EXPIRED = 'LND: invoice expired. Valid until 2026-11-21 05:21:34 +0000 UTC';

/**
 * The buyer's node, except that `pay` answers with a refusal of `reason`:
 * after making the payment when `paid` (a node whose repeated send was refused
 * while its first one went on), or without paying at all. Its record of the
 * payment (`lookupPayment`) stays the simnet's own.
 */
function refusing(m: Market, reason: PaymentFailureReason, paid: boolean): LightningNode {
  return new Proxy(m.buyer, {
    get(target, prop, receiver) {
      if (prop === 'pay')
        return async (bolt11: string, opts: Parameters<LightningNode['pay']>[1]): Promise<Payment> => {
          const hash = paid ? (await target.pay(bolt11, opts)).paymentHash : '';
          const failure = { reason, message: EXPIRED };
          return {
            paymentHash: hash,
            status: 'failed',
            amountMsat: 0,
            feeMsat: 0,
            hops: 0,
            attempts: 0,
            failure,
            createdAt: 0,
          };
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
}

/** One 5,000 msat seller and a client under a 12,000 msat/day budget whose node refuses as `refusing` says. */
function market(reason: PaymentFailureReason, paid: boolean) {
  const m = makeMarket();
  const seller = m.addSeller({ name: 'a', priceMsat: 5_000 });
  const policy = createPolicy(
    { name: 'budget_window', params: { limitMsat: 12_000, window: 'day' } },
    { clock: m.clock },
  );
  const client = createL402Client({
    node: refusing(m, reason, paid),
    fetch: m.fetch,
    clock: m.clock,
    policy,
  });
  return { m, seller, client };
}

describe('a refusal that may hide a live payment is checked against the node’s record before the money is let go', () => {
  it.each(['invoice_expired', 'already_paid'] as const)(
    'a payment the node refused as %s while its record says it succeeded completes the purchase once (5,105 msat with fee), and the next purchase reuses its token',
    async (reason) => {
      const { m, seller, client } = market(reason, true);
      const before = await m.balance(m.buyer);

      const first = await drive(m.clock, client.purchase(seller.url));
      const second = await drive(m.clock, client.purchase(seller.url));

      expect([first, second].map((r) => [r.outcome, r.paidMsat, r.tokenReused])).toEqual([
        ['success', 5_000, false],
        ['success', 0, true],
      ]);
      expect(before - (await m.balance(m.buyer))).toBe(5_105);
      expect(seller.served).toBe(2);
    },
  );

  it('a refusal as invoice_expired with no payment on record fails the purchase, releases its budget and keeps no token', async () => {
    const { m, seller, client } = market('invoice_expired', false);
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, client.purchase(seller.url));

    expect(r).toMatchObject({
      outcome: 'payment_failed',
      reason: `invoice_expired: ${EXPIRED}`,
      paidMsat: 0,
    });
    expect(await m.balance(m.buyer)).toBe(before);
    expect(client.tokens.list()).toEqual([]);
    expect(seller.served).toBe(0);
  });
});
