import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { alicePaysBob, makeNet, settle } from './helpers.js';

const hashOf = (i: number) => hex.encode(sha256(new Uint8Array([i & 255, i >> 8, 7])));

describe('an open hold invoice past its expiry goes like any unpaid one (LND cancels it itself)', () => {
  it('3,000 unpaid hold invoices, 100 per 2 s with 1 s expiry, leave 999 held, as many as ordinary ones', async () => {
    const held: number[] = [];
    for (const hold of [false, true]) {
      const { clock, net } = makeNet({ signInvoices: false });
      const bob = net.addNode({ alias: 'bob' });
      for (let i = 0; i < 3_000; i++) {
        if (hold) await bob.createHoldInvoice({ amountMsat: 1_000, paymentHash: hashOf(i), expirySec: 1 });
        else await bob.createInvoice({ amountMsat: 1_000, expirySec: 1 });
        if (i % 100 === 0) await clock.advance(2_000);
      }
      held.push(net.invoicesHeld());
    }
    expect(held).toEqual([999, 999]);
  });

  it('a hold invoice canceled after its HTLC was accepted reports no amountPaidMsat (LND reports it only when accepted or settled)', async () => {
    const { clock, alice, bob } = alicePaysBob();
    const inv = await bob.createHoldInvoice({ amountMsat: 10_000, paymentHash: hashOf(1) });
    const pending = alice.pay(inv.paymentRequest);
    await clock.runUntilIdle(clock.now() + 1_000);
    expect(await bob.lookupInvoice(inv.paymentHash)).toMatchObject({
      state: 'accepted',
      amountPaidMsat: 10_000,
    });
    const events: unknown[] = [];
    bob.onInvoice((e) => events.push(e.amountPaidMsat));
    await bob.cancelInvoice(inv.paymentHash);
    expect((await settle(clock, pending)).failure?.reason).toBe('canceled');
    const canceled = await bob.lookupInvoice(inv.paymentHash);
    expect(canceled?.state).toBe('canceled');
    expect(canceled).not.toHaveProperty('amountPaidMsat');
    expect(events).toEqual([undefined]);
  });

  it('reports an open invoice, hold or not, canceled from its expiry on (as LND cancels it), before any sweep', async () => {
    const { clock, bob } = alicePaysBob();
    const hold = await bob.createHoldInvoice({ amountMsat: 1_000, paymentHash: hashOf(2), expirySec: 60 });
    const plain = await bob.createInvoice({ amountMsat: 1_000, expirySec: 60 });
    const states = async () => [
      (await bob.lookupInvoice(hold.paymentHash))?.state,
      (await bob.lookupInvoice(plain.paymentHash))?.state,
    ];
    await clock.advance(59_999);
    const before = await states();
    await clock.advance(1);
    expect([before, await states()]).toEqual([
      ['open', 'open'],
      ['canceled', 'canceled'],
    ]);
  });
});
