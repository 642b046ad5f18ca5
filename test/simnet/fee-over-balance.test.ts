/**
 * A payer whose channels cover the amount but not the amount plus the routing fee of the route it would
 * take fails `insufficient_balance`, naming amount, fee and balance, with no attempt and no msat moved;
 * a payee no route reaches still fails `no_route`.
 */
import { describe, expect, it } from 'vitest';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

/** Buyer (100,000 msat, all its own, fee-free) → hub → seller (the hub charges 1,000 msat + 1 ppm). */
function buyerHubSeller() {
  const { clock, net } = makeNet({ latency: fixedLatency(40) });
  const [buyer, hub, seller] = ['buyer', 'hub', 'seller'].map((alias) => net.addNode({ alias })) as [
    SimNode,
    SimNode,
    SimNode,
  ];
  const own = net.openChannel(buyer, hub, { capacityMsat: 100_000, reserveMsat: 0 });
  net.setPolicy(own, buyer, { baseFeeMsat: 0, feeRatePpm: 0 });
  net.openChannel(hub, seller, { capacityMsat: 100_000_000, baseFeeMsat: 1000, feeRatePpm: 1 });
  return { clock, net, buyer, hub, seller };
}

describe('a payer that covers the amount but not the amount plus the routing fee', () => {
  it('99,001 msat (+ 1,000 msat fee = 100,001) from 100,000 msat fails insufficient_balance naming amount, fee and balance, with 0 attempts and nothing moved', async () => {
    const { clock, net, buyer, seller } = buyerHubSeller();
    const inv = await seller.createInvoice({ amountMsat: 99_001 });
    const p = await settle(clock, buyer.pay(inv.paymentRequest, { maxFeeMsat: 5000 }));
    expect(p).toMatchObject({
      status: 'failed',
      amountMsat: 99_001,
      feeMsat: 0,
      attempts: 0,
      failure: {
        reason: 'insufficient_balance',
        message:
          'local spendable 100000 msat is below the amount 99001 msat plus the routing fee 1000 msat of the route it would take (100001 msat)',
      },
    });
    expect(await buyer.balances()).toMatchObject({ localMsat: 100_000, pendingOutMsat: 0 });
    expect(await seller.lookupInvoice(inv.paymentHash)).toMatchObject({ state: 'open' });
    expect(net.audit().ok).toBe(true);
  });

  it('99,500 msat with the default fee limit fails the same way (the red team’s case): 100,500 msat needed', async () => {
    const { clock, buyer, seller } = buyerHubSeller();
    const inv = await seller.createInvoice({ amountMsat: 99_500 });
    const p = await settle(clock, buyer.pay(inv.paymentRequest));
    expect(p.failure).toEqual({
      reason: 'insufficient_balance',
      message:
        'local spendable 100000 msat is below the amount 99500 msat plus the routing fee 1000 msat of the route it would take (100500 msat)',
    });
  });

  it('99,000 msat (+ 1,000 msat fee = exactly 100,000) succeeds, the buyer left with 0 msat', async () => {
    const { clock, buyer, seller } = buyerHubSeller();
    const inv = await seller.createInvoice({ amountMsat: 99_000 });
    const p = await settle(clock, buyer.pay(inv.paymentRequest, { maxFeeMsat: 5000 }));
    expect(p).toMatchObject({ status: 'succeeded', amountMsat: 99_000, feeMsat: 1000, hops: 2 });
    expect((await buyer.balances()).localMsat).toBe(0);
  });

  it('a payee no channel path reaches still fails no_route after 0 attempts', async () => {
    const { clock, net, buyer } = buyerHubSeller();
    const [island, far] = ['island', 'far'].map((alias) => net.addNode({ alias })) as [SimNode, SimNode];
    net.openChannel(island, far, { capacityMsat: 1_000_000 });
    const inv = await far.createInvoice({ amountMsat: 50_000 });
    const p = await settle(clock, buyer.pay(inv.paymentRequest));
    expect(p.failure).toEqual({ reason: 'no_route', message: 'no route to the payee after 0 attempts' });
  });
});
