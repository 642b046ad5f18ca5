import { describe, expect, it } from 'vitest';
import { alicePaysBob, settle } from './helpers.js';

/** 100 invoices paid 1 s apart (60 s expiry), then unpaid ones issued until the sweep runs at the 1,024th held. */
async function paidThenSwept(forgetSettledInvoices: boolean) {
  const { clock, net, alice, bob } = alicePaysBob({ forgetSettledInvoices });
  const paid = [];
  for (let i = 0; i < 100; i++) {
    const inv = await bob.createInvoice({ amountMsat: 10_000, expirySec: 60 });
    await settle(clock, alice.pay(inv.paymentRequest));
    paid.push(inv);
    await clock.advance(1000);
  }
  await clock.advance(60_000);
  for (let i = 0; i < 924; i++) await bob.createInvoice({ amountMsat: 1_000, expirySec: 60 });
  return { net, alice: alice, bob: bob, paid };
}

describe('forgetSettledInvoices', () => {
  it('the sweep at the 1,024th invoice forgets the 100 expired settled invoices and the payer records of them; lookups still answer settled and succeeded from the archive', async () => {
    const { net, alice, bob, paid } = await paidThenSwept(true);
    expect(net.invoicesHeld()).toBe(924);
    expect(net.paymentsHeld()).toBe(0);
    expect(await bob.lookupInvoice(paid[0]!.paymentHash)).toMatchObject({
      state: 'settled',
      amountPaidMsat: 10_000,
    });
    expect(await alice.lookupPayment(paid[99]!.paymentHash)).toMatchObject({
      status: 'succeeded',
      feeMsat: 0,
    });
    expect(net.audit().ok).toBe(true);
  });

  it('is off by default: the same sweep keeps the 100 settled invoices and their 100 payment records', async () => {
    const { net, bob, paid } = await paidThenSwept(false);
    expect(net.invoicesHeld()).toBe(1_024);
    expect(net.paymentsHeld()).toBe(100);
    expect(await bob.lookupInvoice(paid[0]!.paymentHash)).toMatchObject({ state: 'settled' });
  });
});
