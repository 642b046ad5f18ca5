import { describe, expect, it } from 'vitest';
import { alicePaysBob, settle } from './helpers.js';

describe('pay(…, { amountMsat }) on an invoice with an amount (as LND: that amount or nothing)', () => {
  it('5,000,000 msat asked on a 10,000,000 msat invoice fails invalid_invoice with LND’s message, and no msat moves', async () => {
    const { clock, net, alice, bob } = alicePaysBob();
    const inv = await bob.createInvoice({ amountMsat: 10_000_000 });
    const before = (await alice.balances()).localMsat;
    const p = await settle(clock, alice.pay(inv.paymentRequest, { amountMsat: 5_000_000 }));
    expect(p).toMatchObject({
      status: 'failed',
      paymentHash: inv.paymentHash,
      amountMsat: 0,
      feeMsat: 0,
      failure: { reason: 'invalid_invoice', message: 'invoice asks 10000000 msat but amountMsat is 5000000' },
    });
    expect((await alice.balances()).localMsat).toBe(before);
    expect(await bob.lookupInvoice(inv.paymentHash)).toMatchObject({ state: 'open' });
    expect(await alice.lookupPayment(inv.paymentHash)).toBeUndefined();
    expect(net.audit().ok).toBe(true);
  });

  it('20,000,000 msat asked on a 10,000,000 msat invoice fails the same way (never pays more than asked either)', async () => {
    const { clock, alice, bob } = alicePaysBob();
    const inv = await bob.createInvoice({ amountMsat: 10_000_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest, { amountMsat: 20_000_000 }));
    expect(p.failure).toEqual({
      reason: 'invalid_invoice',
      message: 'invoice asks 10000000 msat but amountMsat is 20000000',
    });
  });

  it('the invoice’s own amount, named, pays 10,000,000 msat', async () => {
    const { clock, alice, bob } = alicePaysBob();
    const inv = await bob.createInvoice({ amountMsat: 10_000_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest, { amountMsat: 10_000_000 }));
    expect(p).toMatchObject({ status: 'succeeded', amountMsat: 10_000_000, feeMsat: 0 });
  });
});

describe('pay options: null means the defaults, a timeout is a whole number of ms ≥ 1 (as LND)', () => {
  it('pay(invoice, null) pays 10,000 msat with the defaults', async () => {
    const { clock, alice, bob } = alicePaysBob();
    const inv = await bob.createInvoice({ amountMsat: 10_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest, null as never));
    expect(p).toMatchObject({ status: 'succeeded', amountMsat: 10_000, feeMsat: 0 });
  });

  it.each([
    [1.5, '1.5'],
    [Number.NaN, 'NaN'],
    [0, '0'],
    [-1, '-1'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
  ])(
    'timeoutMs %s throws LabError invalid_payment_options naming it, and records no payment',
    async (timeoutMs, shown) => {
      const { alice, bob } = alicePaysBob();
      const inv = await bob.createInvoice({ amountMsat: 10_000 });
      await expect(alice.pay(inv.paymentRequest, { timeoutMs })).rejects.toMatchObject({
        name: 'LabError',
        code: 'invalid_payment_options',
        message: `timeoutMs must be a whole number of ms, at least 1 (or left out for the default, 60000 ms); got ${shown}`,
      });
      expect(await alice.lookupPayment(inv.paymentHash)).toBeUndefined();
    },
  );

  it('timeoutMs 1 is accepted: pay answers in_flight at 1 ms with the HTLC on its 5 ms hop, and the payment completes (its record: succeeded, 10,000 msat)', async () => {
    const { clock, alice, bob } = alicePaysBob();
    const inv = await bob.createInvoice({ amountMsat: 10_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest, { timeoutMs: 1 }));
    expect(p).toMatchObject({ status: 'in_flight', amountMsat: 10_000 });
    expect(await alice.lookupPayment(inv.paymentHash)).toMatchObject({
      status: 'succeeded',
      amountMsat: 10_000,
    });
  });
});
