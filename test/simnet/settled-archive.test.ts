import { describe, expect, it } from 'vitest';
import { SettledArchive } from '../../infra/lightning/simnet/settled-archive.js';
import { alicePaysBob, settle } from './helpers.js';

/** Bob's 10,000 msat invoice (60 s expiry) paid by alice, then 61 s and 1,023 more invoices: the sweep forgets it. */
async function paidThenSwept() {
  const w = alicePaysBob({ forgetSettledInvoices: true });
  const { clock, alice, bob } = w;
  const inv = await bob.createInvoice({ amountMsat: 10_000, memo: 'one forecast', expirySec: 60 });
  const paid = await settle(clock, alice.pay(inv.paymentRequest));
  const settled = (await bob.lookupInvoice(inv.paymentHash))!;
  await clock.advance(61_000);
  for (let i = 0; i < 1_023; i++) await bob.createInvoice({ amountMsat: 1_000 });
  return { ...w, inv, paid, settled };
}

describe('forgotten settled invoices still answer lookups (LND keeps them)', () => {
  it('after the sweep, bob’s lookupInvoice is the settled invoice without its payment request and memo, and alice’s lookupPayment is her succeeded record, preimage and fee included', async () => {
    const { net, alice, bob, inv, paid, settled } = await paidThenSwept();
    expect(net.invoicesHeld()).toBe(1_023);
    expect(net.paymentsHeld()).toBe(0);
    expect(settled).toMatchObject({ state: 'settled', amountMsat: 10_000, amountPaidMsat: 10_000 });
    expect(await bob.lookupInvoice(inv.paymentHash)).toEqual({ ...settled, paymentRequest: '', memo: '' });
    expect(paid).toMatchObject({
      status: 'succeeded',
      amountMsat: 10_000,
      feeMsat: 0,
      preimage: inv.preimage,
    });
    expect(await alice.lookupPayment(inv.paymentHash)).toEqual(paid);
  });

  it('only the payee and the payer find them: alice’s lookupInvoice and bob’s lookupPayment answer undefined', async () => {
    const { alice, bob, inv } = await paidThenSwept();
    expect(await alice.lookupInvoice(inv.paymentHash)).toBeUndefined();
    expect(await bob.lookupPayment(inv.paymentHash)).toBeUndefined();
  });

  it('the archive keeps at most its capacity: with capacity 2, a third settled invoice pushes the first out', () => {
    const archive = new SettledArchive(2);
    const invoice = (h: string) => ({
      paymentRequest: 'lnbcrt1…',
      paymentHash: h,
      amountMsat: 1_000,
      memo: 'm',
      state: 'settled' as const,
      createdAt: 0,
      expiresAt: 60_000,
      isHold: false,
    });
    for (const h of ['a', 'b', 'c']) archive.keepInvoice(1, invoice(h));
    expect(archive.size).toBe(2);
    expect(archive.invoice(1, 'a')).toBeUndefined();
    expect(archive.invoice(1, 'c')).toEqual({ ...invoice('c'), paymentRequest: '', memo: '' });
  });
});
