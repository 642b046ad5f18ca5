import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { encodeInvoice } from '../../infra/lightning/bolt11.js';
import type { Payment, PaymentFailureReason } from '../../infra/lightning/node.js';
import { fixedLatency, type SimNetwork, type SimNode } from '../../infra/lightning/simnet/index.js';
import type { VirtualClock } from '../../infra/time/virtual-clock.js';
import { makeNet, settle } from './helpers.js';

const CAP = 1_000_000_000;

interface World {
  clock: VirtualClock;
  net: SimNetwork;
  alice: SimNode;
  bob: SimNode;
  carol: SimNode;
}

function world(): World {
  const { clock, net } = makeNet({ latency: fixedLatency(10) });
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias }));
  net.openChannel(alice!, bob!, { capacityMsat: CAP });
  net.openChannel(bob!, carol!, { capacityMsat: CAP, pushMsat: CAP / 2 });
  return { clock, net, alice: alice!, bob: bob!, carol: carol! };
}

const foreignKey = hex.decode('42'.repeat(32));

/** A refusal's message: exact, or a pattern where only a flaw of the product's wording is left open. */
type Message = string | ReturnType<typeof expect.stringMatching>;

/** Each case: what is paid, the refusal's reason, its message, and how it is paid. */
const cases: [string, PaymentFailureReason, Message, (w: World) => Promise<Payment>][] = [
  [
    'an invoice paid after its expiry',
    'invoice_expired',
    'invoice expired at 2026-01-01T00:01:00.000Z',
    async ({ clock, alice, carol }) => {
      const inv = await carol.createInvoice({ amountMsat: 10_000, expirySec: 60 });
      await clock.advance(60_000);
      return settle(clock, alice.pay(inv.paymentRequest));
    },
  ],
  [
    'an invoice this node already paid',
    'already_paid',
    'this node already paid this invoice',
    async ({ clock, alice, carol }) => {
      const inv = await carol.createInvoice({ amountMsat: 10_000 });
      await settle(clock, alice.pay(inv.paymentRequest));
      return settle(clock, alice.pay(inv.paymentRequest));
    },
  ],
  [
    'an invoice another node already paid (the payee refuses)',
    'already_paid',
    'invoice already paid',
    async ({ clock, alice, bob, carol }) => {
      const inv = await carol.createInvoice({ amountMsat: 10_000 });
      await settle(clock, bob.pay(inv.paymentRequest));
      return settle(clock, alice.pay(inv.paymentRequest));
    },
  ],
  [
    'an invoice of its own',
    'self_payment',
    'the payee is this node',
    async ({ clock, alice }) =>
      settle(clock, alice.pay((await alice.createInvoice({ amountMsat: 1 })).paymentRequest)),
  ],
  [
    'a mainnet invoice on the regtest network',
    'wrong_network',
    'invoice is for mainnet, expected regtest',
    async ({ clock, alice }) => {
      const pr = encodeInvoice(
        {
          network: 'mainnet',
          amountMsat: 1_000,
          paymentHash: '00'.repeat(32),
          description: '',
          timestampSec: 1,
        },
        foreignKey,
      );
      return settle(clock, alice.pay(pr));
    },
  ],
  [
    'a string that is not an invoice',
    'invalid_invoice',
    'not a bech32 payment request: bech32 data has a character outside the alphabet at 8',
    ({ clock, alice }) => settle(clock, alice.pay('lnbcrt1nonsense')),
  ],
  [
    'a valid invoice from a node outside the network',
    'no_route',
    'payee 0324653eac434488002cc06bbfb7f10fe18991e35f9fe4302dbea6d2353dc0ab1c is not in this network',
    async ({ clock, alice }) => {
      const pr = encodeInvoice(
        {
          network: 'regtest',
          amountMsat: 1_000,
          paymentHash: '00'.repeat(32),
          description: '',
          timestampSec: 1_800_000_000,
        },
        foreignKey,
      );
      return settle(clock, alice.pay(pr));
    },
  ],
  [
    'an offline payee',
    'recipient_offline',
    'the payee is offline',
    async ({ clock, net, alice, carol }) => {
      const inv = await carol.createInvoice({ amountMsat: 10_000 });
      net.setOnline(carol, false);
      return settle(clock, alice.pay(inv.paymentRequest));
    },
  ],
  [
    'an offline payee that is a direct peer',
    'recipient_offline',
    'the payee is offline',
    async ({ clock, net, alice, bob }) => {
      const inv = await bob.createInvoice({ amountMsat: 10_000 });
      net.setOnline(bob, false);
      return settle(clock, alice.pay(inv.paymentRequest));
    },
  ],
  [
    'a zero-amount invoice without amountMsat',
    'invalid_invoice',
    'zero-amount invoice: pass amountMsat',
    async ({ clock, alice, carol }) =>
      settle(clock, alice.pay((await carol.createInvoice({ amountMsat: 0 })).paymentRequest)),
  ],
  [
    'a canceled invoice',
    'canceled',
    'invoice was canceled',
    async ({ clock, alice, carol }) => {
      const inv = await carol.createInvoice({ amountMsat: 10_000 });
      await carol.cancelInvoice(inv.paymentHash);
      return settle(clock, alice.pay(inv.paymentRequest));
    },
  ],
  [
    'a payment that runs out of time between attempts (the payer’s record; pay answered in_flight at 25 ms)',
    'timeout',
    'gave up after 25 ms and 1 attempt; last failure: temporary channel failure at 101x1x0 (10000 msat)',
    async ({ clock, net, alice, bob, carol }) => {
      // The only route fails 20 ms out and the failure is back at 30 ms: past the 25 ms budget, so pay
      // answers in_flight at 25 ms (the HTLC still locked) and the payment fails when it is back.
      net.drainChannel(net.channelsBetween(bob, carol)[0]!, bob);
      const inv = await carol.createInvoice({ amountMsat: 10_000 });
      const answer = await settle(clock, alice.pay(inv.paymentRequest, { timeoutMs: 25 }));
      expect(answer.status).toBe('in_flight');
      return (await alice.lookupPayment(inv.paymentHash))!;
    },
  ],
];

describe('payments the network refuses', () => {
  for (const [name, reason, message, act] of cases) {
    it(`fails ${name} with ${reason} and a message saying so, and no money moves`, async () => {
      const w = world();
      const before = await w.alice.balances();
      const beforeFees = w.net.feesEarnedMsat(w.bob);
      const p = await act(w);
      expect(p.status).toBe('failed');
      expect(p.failure?.reason).toBe(reason);
      expect(p.feeMsat).toBe(0);
      expect(p.failure?.message).toEqual(message);
      const after = await w.alice.balances();
      if (reason === 'already_paid') return; // the first, successful payment moved money on purpose
      expect(after).toEqual(before);
      expect(w.net.feesEarnedMsat(w.bob)).toBe(beforeFees);
      expect(w.net.audit().ok).toBe(true);
    });
  }

  it('pays a zero-amount invoice with the amount the payer names', async () => {
    const { clock, alice, carol } = world();
    const inv = await carol.createInvoice({ amountMsat: 0, memo: 'tip' });
    const p = await settle(clock, alice.pay(inv.paymentRequest, { amountMsat: 12_345 }));
    expect(p).toMatchObject({ status: 'succeeded', amountMsat: 12_345 });
    expect(await carol.lookupInvoice(inv.paymentHash)).toMatchObject({
      state: 'settled',
      amountPaidMsat: 12_345,
    });
  });

  it('throws a typed error for a malformed fee limit (a caller bug, not a payment outcome)', async () => {
    const { alice, carol } = world();
    const inv = await carol.createInvoice({ amountMsat: 10_000 });
    await expect(alice.pay(inv.paymentRequest, { maxFeeMsat: -1 })).rejects.toMatchObject({
      code: 'invalid_amount',
    });
    await expect(alice.pay(inv.paymentRequest, { maxFeeMsat: 0.5 })).rejects.toMatchObject({
      code: 'invalid_amount',
    });
  });

  it('throws a typed error for bad invoice requests', async () => {
    const { carol } = world();
    await expect(carol.createInvoice({ amountMsat: -5 })).rejects.toMatchObject({ code: 'invalid_amount' });
    await expect(carol.createInvoice({ amountMsat: 1, expirySec: 0 })).rejects.toMatchObject({
      code: 'invalid_invoice_request',
    });
    await expect(carol.createInvoice({ amountMsat: 1, memo: 'x'.repeat(700) })).rejects.toMatchObject({
      code: 'invalid_invoice_request',
    });
  });
});
