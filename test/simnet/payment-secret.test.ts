import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, encodeUnsignedInvoice } from '../../infra/lightning/bolt11.js';
import { fixedLatency, type SimNetworkOptions } from '../../infra/lightning/simnet/index.js';
import { alicePaysBob, settle } from './helpers.js';

/**
 * Bob's real 100,000 msat invoice, and a forgery anyone who saw it can write
 * without bob's key: unsigned, naming bob in `n`, with its hash, asking
 * 200,000 msat, with the payment secret `secret` (none: left out).
 */
async function forged(opts: Partial<SimNetworkOptions>, secret: 'none' | 'other' | 'real') {
  const w = alicePaysBob({ latency: fixedLatency(5), ...opts });
  const real = await w.bob.createInvoice({ amountMsat: 100_000, memo: 'real' });
  const d = decodeInvoice(real.paymentRequest, { expectedNetwork: 'regtest', allowUnsigned: true });
  const paymentSecret = { none: undefined, other: '22'.repeat(32), real: d.paymentSecret }[secret];
  const forgery = encodeUnsignedInvoice(
    {
      network: 'regtest',
      amountMsat: 200_000,
      paymentHash: d.paymentHash,
      ...(paymentSecret !== undefined && { paymentSecret }),
      description: 'forged',
      timestampSec: d.timestampSec,
      minFinalCltvExpiry: 80,
    },
    hex.decode(w.bob.pubkey),
  );
  const before = (await w.alice.balances()).localMsat;
  const p = await settle(w.clock, w.alice.pay(forgery));
  const debited = before - (await w.alice.balances()).localMsat;
  const invoice = await w.bob.lookupInvoice(d.paymentHash);
  return { ...w, real, p, debited, invoice };
}

describe('only the holder of bob’s invoice can pay it: signature and payment secret', () => {
  it('on a network that signs its invoices (the default), an unsigned forgery naming bob is refused invalid_invoice before anything is sent; bob’s invoice stays open, and its own string then pays 100,000 msat', async () => {
    const { clock, alice, bob, real, p, debited, invoice } = await forged({}, 'none');
    expect([p.status, p.attempts, p.failure]).toEqual([
      'failed',
      0,
      { reason: 'invalid_invoice', message: 'invoice is unsigned (all-zero signature)' },
    ]);
    expect([debited, invoice?.state, invoice?.amountPaidMsat]).toEqual([0, 'open', undefined]);
    const honest = await settle(clock, alice.pay(real.paymentRequest));
    expect([honest.status, honest.amountMsat, honest.feeMsat]).toEqual(['succeeded', 100_000, 0]);
    expect(await bob.lookupInvoice(real.paymentHash)).toMatchObject({
      state: 'settled',
      amountPaidMsat: 100_000,
    });
  });

  it.each([
    ['none', 'missing'],
    ['other', "not the invoice's"],
  ] as const)(
    'on an unsigned network, a forgery with payment secret %s reaches bob, who refuses it incorrect_payment_details (secret %s); alice gets her 200,000 msat back and bob’s invoice stays open',
    async (secret, words) => {
      const { p, debited, invoice, net } = await forged({ signInvoices: false }, secret);
      expect([p.status, p.attempts, p.failure]).toEqual([
        'failed',
        1,
        { reason: 'incorrect_payment_details', message: `the HTLC's payment secret is ${words}` },
      ]);
      expect([debited, invoice?.state, invoice?.amountPaidMsat]).toEqual([0, 'open', undefined]);
      expect(net.audit().ok).toBe(true);
    },
  );

  it('in shards too: with multipart payments on, a forgery without the secret is refused incorrect_payment_details and nothing moves', async () => {
    const { p, debited, invoice } = await forged(
      { signInvoices: false, multipart: { maxParts: 4, minShardMsat: 10_000 } },
      'none',
    );
    expect([p.status, p.failure]).toEqual([
      'failed',
      { reason: 'incorrect_payment_details', message: "the HTLC's payment secret is missing" },
    ]);
    expect([debited, invoice?.state]).toEqual([0, 'open']);
  });
});
