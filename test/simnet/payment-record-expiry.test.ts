import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { encodeUnsignedInvoice } from '../../infra/lightning/bolt11.js';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import { alicePaysBob, makeNet, settle } from './helpers.js';

describe('payment records go once their payment ended and their invoice expired', () => {
  it('20 failed payments of hashes bob never issued (1 s expiry) leave 20 records, and none once pruneExpired runs after their expiry', async () => {
    const { clock, net, alice, bob } = alicePaysBob({ signInvoices: false, latency: fixedLatency(1) });
    for (let i = 0; i < 20; i++) {
      const pr = encodeUnsignedInvoice(
        {
          network: 'regtest',
          amountMsat: 10_000,
          paymentHash: hex.encode(sha256(new Uint8Array([i]))),
          paymentSecret: '22'.repeat(32),
          description: '',
          timestampSec: Math.floor(clock.now() / 1000),
          expirySec: 1,
          minFinalCltvExpiry: 80,
        },
        hex.decode(bob.pubkey),
      );
      const p = await settle(clock, alice.pay(pr));
      expect(p.failure?.reason).toBe('incorrect_payment_details');
    }
    expect(net.paymentsHeld()).toBe(20);
    await clock.advance(1_000);
    expect([net.pruneExpired(), net.paymentsHeld(), net.invoicesHeld()]).toEqual([0, 0, 0]);
  });

  it('a payment still in flight when its canceled invoice is pruned stays until it fails back, then the next prune drops it', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias })) as [
      SimNode,
      SimNode,
      SimNode,
    ];
    net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
    net.openChannel(bob, carol, { capacityMsat: 1_000_000_000 });
    const paymentHash = hex.encode(sha256(hex.decode('ee'.repeat(32))));
    const inv = await carol.createHoldInvoice({ amountMsat: 10_000, paymentHash, expirySec: 60 });
    const paying = alice.pay(inv.paymentRequest, { timeoutMs: 2 * 60_000 });
    await clock.advance(61_000);
    await carol.cancelInvoice(paymentHash);
    // The failure is on its way back (10 ms a hop): the invoice goes, the payer's record is in flight.
    expect([net.pruneExpired(), net.invoicesHeld(), net.paymentsHeld()]).toEqual([1, 0, 1]);
    expect((await settle(clock, paying)).failure?.reason).toBe('canceled');
    expect([net.pruneExpired(), net.paymentsHeld()]).toEqual([0, 0]);
  });
});
