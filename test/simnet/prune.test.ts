import { describe, expect, it } from 'vitest';
import { alicePaysBob, settle } from './helpers.js';

describe('pruneExpired', () => {
  it('forgets expired invoices and their payments, lookups of the settled one answer from the archive, and they still cannot be paid', async () => {
    const { clock, net, alice, bob } = alicePaysBob();
    const paid = await bob.createInvoice({ amountMsat: 10_000, expirySec: 60 });
    const unpaid = await bob.createInvoice({ amountMsat: 10_000, expirySec: 60 });
    const lasting = await bob.createInvoice({ amountMsat: 10_000, expirySec: 3600 });
    await settle(clock, alice.pay(paid.paymentRequest));
    expect(net.pruneExpired()).toBe(0);
    await clock.advance(60_000);
    expect(net.pruneExpired()).toBe(2);
    expect(net.invoicesHeld()).toBe(1);
    expect(net.paymentsHeld()).toBe(0);
    expect(await bob.lookupInvoice(paid.paymentHash)).toMatchObject({
      state: 'settled',
      amountPaidMsat: 10_000,
    });
    expect(await alice.lookupPayment(paid.paymentHash)).toMatchObject({ status: 'succeeded', feeMsat: 0 });
    expect(await bob.lookupInvoice(unpaid.paymentHash)).toBeUndefined();
    expect(await bob.lookupInvoice(lasting.paymentHash)).toMatchObject({ state: 'open' });
    // Known only from the string now: the payer still sees it has expired.
    const again = await settle(clock, alice.pay(unpaid.paymentRequest));
    expect(again.failure?.reason).toBe('invoice_expired');
    expect(net.audit().ok).toBe(true);
  });

  it('keeps an expired hold invoice whose HTLC is still accepted', async () => {
    const { clock, net, alice, bob } = alicePaysBob();
    const inv = await bob.createHoldInvoice({
      amountMsat: 10_000,
      expirySec: 60,
      paymentHash: '11'.repeat(32),
    });
    const pending = alice.pay(inv.paymentRequest, { timeoutMs: 5 * 60_000 });
    await clock.runUntilIdle(clock.now() + 60_000);
    await clock.advance(120_000);
    expect(net.pruneExpired()).toBe(0);
    await bob.cancelInvoice(inv.paymentHash);
    await clock.runUntilIdle();
    expect((await pending).failure?.reason).toBe('canceled');
    expect(net.pruneExpired()).toBe(1);
  });
});
