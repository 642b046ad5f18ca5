import { describe, expect, it } from 'vitest';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

/**
 * Mallory buys the seller's 100,000 msat invoice (60 s expiry) and learns its
 * preimage; she issues a 1,000 msat hold invoice with the same hash, which
 * her friend pays and she settles. 120 s later the network forgets both.
 */
async function sameHashTwoPayees() {
  const { clock, net } = makeNet({ latency: fixedLatency(5) });
  const [buyer, seller, mallory, friend] = ['buyer', 'seller', 'mallory', 'friend'].map((alias) =>
    net.addNode({ alias }),
  ) as [SimNode, SimNode, SimNode, SimNode];
  net.openChannel(buyer, seller, { capacityMsat: 1_000_000_000 });
  net.openChannel(mallory, seller, { capacityMsat: 1_000_000_000 });
  net.openChannel(friend, mallory, { capacityMsat: 1_000_000_000 });
  const inv = await seller.createInvoice({ amountMsat: 100_000, expirySec: 60 });
  const bought = await settle(clock, mallory.pay(inv.paymentRequest));
  const hold = await mallory.createHoldInvoice({
    amountMsat: 1_000,
    paymentHash: inv.paymentHash,
    expirySec: 60,
  });
  const paying = friend.pay(hold.paymentRequest);
  await clock.advance(100);
  await mallory.settleInvoice(bought.preimage!);
  const paid = await settle(clock, paying);
  await clock.advance(120_000);
  return { net, seller, mallory, friend, hash: inv.paymentHash, paid };
}

describe('the archive of forgotten settled invoices keeps each payee’s and each payer’s record of one hash', () => {
  it('pruning the seller’s and mallory’s settled invoices of one hash counts 2, and each payee still finds its own: 100,000 and 1,000 msat', async () => {
    const { net, seller, mallory, hash, paid } = await sameHashTwoPayees();
    expect(paid.status).toBe('succeeded');
    expect(net.pruneExpired()).toBe(2);
    expect(net.invoicesHeld()).toBe(0);
    expect(await seller.lookupInvoice(hash)).toMatchObject({ state: 'settled', amountPaidMsat: 100_000 });
    expect(await mallory.lookupInvoice(hash)).toMatchObject({ state: 'settled', amountPaidMsat: 1_000 });
  });

  it('and each payer still finds its own succeeded payment of the hash: mallory’s 100,000 msat and her friend’s 1,000 msat', async () => {
    const { net, mallory, friend, hash } = await sameHashTwoPayees();
    net.pruneExpired();
    expect(net.paymentsHeld()).toBe(0);
    expect(await mallory.lookupPayment(hash)).toMatchObject({ status: 'succeeded', amountMsat: 100_000 });
    expect(await friend.lookupPayment(hash)).toMatchObject({ status: 'succeeded', amountMsat: 1_000 });
  });
});
