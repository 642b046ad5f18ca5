import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

const preimage = 'cd'.repeat(32);
const paymentHash = hex.encode(sha256(hex.decode(preimage)));

/**
 * Alice pays bob's 100,000 msat hold invoice (60 s expiry, 5 ms a hop), bob
 * settles it, and 120 s later the network forgets it (`pruneExpired`, or the
 * sweep with `forgetSettledInvoices`). Mallory, bob's other peer, has a
 * channel from alice too.
 */
async function paidThenForgotten() {
  const { clock, net } = makeNet({ latency: fixedLatency(5) });
  const [alice, bob, mallory] = ['alice', 'bob', 'mallory'].map((alias) => net.addNode({ alias })) as [
    SimNode,
    SimNode,
    SimNode,
  ];
  net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
  net.openChannel(alice, mallory, { capacityMsat: 1_000_000_000 });
  const start = (await alice.balances()).localMsat;
  const inv = await bob.createHoldInvoice({ amountMsat: 100_000, paymentHash, expirySec: 60 });
  const paying = alice.pay(inv.paymentRequest);
  await clock.advance(100);
  await bob.settleInvoice(preimage);
  const first = await settle(clock, paying);
  await clock.advance(120_000);
  const pruned = net.pruneExpired();
  const spent = async () => start - (await alice.balances()).localMsat;
  return { clock, net, alice, bob, mallory, first, pruned, spent };
}

describe('a hash paid once is not paid again after the network forgot its invoice (LND keeps both records)', () => {
  it('bob refuses a new hold invoice with the hash he was paid for (invalid_invoice_request), and alice stays debited 100,000 msat once', async () => {
    const { bob, first, pruned, spent } = await paidThenForgotten();
    expect([first.status, pruned]).toEqual(['succeeded', 1]);
    const err = await bob.createHoldInvoice({ amountMsat: 100_000, paymentHash }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'invalid_invoice_request',
      message: `an invoice with hash ${paymentHash} was already settled: make a new preimage and hash`,
    });
    expect(await spent()).toBe(100_000);
  });

  it('alice refuses as already_paid another payee’s hold invoice with the hash she paid; it stays open and her balance does not move', async () => {
    const { clock, alice, mallory, spent } = await paidThenForgotten();
    const again = await mallory.createHoldInvoice({ amountMsat: 100_000, paymentHash });
    const p = await settle(clock, alice.pay(again.paymentRequest));
    expect([p.status, p.failure]).toEqual([
      'failed',
      { reason: 'already_paid', message: 'this node already paid this invoice' },
    ]);
    expect((await mallory.lookupInvoice(paymentHash))?.state).toBe('open');
    expect(await spent()).toBe(100_000);
    expect((await alice.lookupPayment(paymentHash))?.status).toBe('succeeded');
  });
});
