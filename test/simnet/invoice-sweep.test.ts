import { describe, expect, it } from 'vitest';
import { alicePaysBob, makeNet, settle } from './helpers.js';

describe('invoices that expired unpaid are forgotten as new ones are issued', () => {
  it('the 1,024th invoice sweeps the 1,020 expired unpaid ones and the expired open hold invoice (LND cancels it at expiry), and keeps the settled and the 2 live ones', async () => {
    const { clock, net, alice, bob } = alicePaysBob();
    const paid = await bob.createInvoice({ amountMsat: 10_000, expirySec: 60 });
    await settle(clock, alice.pay(paid.paymentRequest));
    const hold = await bob.createHoldInvoice({
      amountMsat: 10_000,
      expirySec: 60,
      paymentHash: '11'.repeat(32),
    });
    const unpaid = [];
    for (let i = 0; i < 1_020; i++)
      unpaid.push(await bob.createInvoice({ amountMsat: 1_000, expirySec: 60 }));
    await clock.advance(60_000);
    const live = await bob.createInvoice({ amountMsat: 1_000, expirySec: 60 });
    expect(net.invoicesHeld()).toBe(1_023);
    // The 1,024th: the sweep runs and forgets the 1,021 that expired unpaid, the hold invoice among them.
    const last = await bob.createInvoice({ amountMsat: 1_000, expirySec: 60 });
    expect(net.invoicesHeld()).toBe(3);
    expect(await bob.lookupInvoice(unpaid[0]!.paymentHash)).toBeUndefined();
    expect(await bob.lookupInvoice(paid.paymentHash)).toMatchObject({ state: 'settled' });
    expect(await alice.lookupPayment(paid.paymentHash)).toMatchObject({ status: 'succeeded' });
    expect(await bob.lookupInvoice(hold.paymentHash)).toBeUndefined();
    expect(await bob.lookupInvoice(live.paymentHash)).toMatchObject({ state: 'open' });
    expect(await bob.lookupInvoice(last.paymentHash)).toMatchObject({ state: 'open' });
    // A forgotten invoice still cannot be paid: the payer reads its expiry from the string.
    const late = await settle(clock, alice.pay(unpaid[1]!.paymentRequest));
    expect(late.failure?.reason).toBe('invoice_expired');
    expect(net.audit().ok).toBe(true);
  });

  it('a steady stream of unpaid invoices, 1 s apart with 60 s expiry, holds at most 1,023 at any time over 3,000 (sweeps at the 1,024th, 1,988th and 2,952nd)', async () => {
    const { clock, net } = makeNet();
    const bob = net.addNode({ alias: 'bob' });
    let most = 0;
    for (let i = 0; i < 3_000; i++) {
      await bob.createInvoice({ amountMsat: 1_000, expirySec: 60 });
      most = Math.max(most, net.invoicesHeld());
      await clock.advance(1_000);
    }
    expect({ most, now: net.invoicesHeld() }).toEqual({ most: 1_023, now: 108 });
  });

  it('pruneExpired still forgets settled invoices too', async () => {
    const { clock, net, alice, bob } = alicePaysBob();
    const paid = await bob.createInvoice({ amountMsat: 10_000, expirySec: 60 });
    await settle(clock, alice.pay(paid.paymentRequest));
    await clock.advance(60_000);
    expect(net.pruneExpired()).toBe(1);
    expect(net.invoicesHeld()).toBe(0);
  });
});
