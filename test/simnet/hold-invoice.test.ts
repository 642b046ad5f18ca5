import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../infra/lightning/node.js';
import { BLOCK_INTERVAL_MS, fixedLatency } from '../../infra/lightning/simnet/index.js';
import { makeNet } from './helpers.js';
import { LabError } from '../../infra/errors.js';

const CAP = 1_000_000_000;
const MINUTE = 60_000;
const preimage = 'aa'.repeat(32);
const paymentHash = hex.encode(sha256(hex.decode(preimage)));

function setup() {
  const { clock, net } = makeNet({ latency: fixedLatency(10) });
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias }));
  net.openChannel(alice!, bob!, { capacityMsat: CAP });
  const bc = net.openChannel(bob!, carol!, { capacityMsat: CAP });
  const events: Invoice['state'][] = [];
  carol!.onInvoice((inv) => events.push(inv.state));
  return { clock, net, alice: alice!, bob: bob!, carol: carol!, bc, events };
}

describe('a hold invoice', () => {
  it('keeps the HTLCs locked while accepted, and refunds the payer exactly when canceled', async () => {
    const { clock, net, alice, carol, bc, events } = setup();
    const before = await alice.balances();
    const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
    expect(inv.preimage).toBeUndefined();
    let done = false;
    const pending = alice.pay(inv.paymentRequest, { timeoutMs: 10 * MINUTE }).then((p) => ((done = true), p));
    await clock.runUntilIdle(clock.now() + MINUTE);
    expect(done).toBe(false);
    expect(await carol.lookupInvoice(paymentHash)).toMatchObject({
      state: 'accepted',
      amountPaidMsat: 5_000_000,
    });
    expect(await alice.lookupPayment(paymentHash)).toMatchObject({ status: 'in_flight' });
    const locked = await alice.balances();
    expect(locked.pendingOutMsat).toBe(5_000_000 + 1_000 + 5); // amount + bob's fee (1000 base + 1 ppm)
    expect(bc.inFlight[0]).toBe(5_000_000);
    expect(net.audit().ok).toBe(true);

    await carol.cancelInvoice(paymentHash);
    await clock.runUntilIdle();
    const p = await pending;
    expect(p).toMatchObject({ status: 'failed', feeMsat: 0, failure: { reason: 'canceled' } });
    expect(await alice.balances()).toEqual(before);
    expect(bc.inFlight).toEqual([0, 0]);
    expect(events).toEqual(['open', 'accepted', 'canceled']);
    expect(net.audit().ok).toBe(true);
  });

  it('releases the preimage to the payer when settled', async () => {
    const { clock, alice, carol, events } = setup();
    const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
    const pending = alice.pay(inv.paymentRequest);
    await clock.advance(1_000);
    await carol.settleInvoice(preimage);
    await clock.runUntilIdle();
    const p = await pending;
    expect(p).toMatchObject({ status: 'succeeded', preimage, feeMsat: 1_005 });
    // Accepted at 20 ms, settled at 1000 ms, preimage back to alice two hops later.
    expect(p.resolvedAt! - p.createdAt).toBe(1_000 + 2 * 10);
    expect(await carol.lookupInvoice(paymentHash)).toMatchObject({ state: 'settled', preimage });
    expect(events).toEqual(['open', 'accepted', 'settled']);
  });

  it('refuses a second payer while one payment is accepted', async () => {
    const { clock, net, alice, bob, carol } = setup();
    const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
    void alice.pay(inv.paymentRequest);
    await clock.runUntilIdle(clock.now() + MINUTE);
    const second = bob.pay(inv.paymentRequest);
    await clock.runUntilIdle(clock.now() + MINUTE);
    expect(await second).toMatchObject({ status: 'failed', failure: { reason: 'already_paid' } });
    await carol.cancelInvoice(paymentHash);
    await clock.runUntilIdle();
    expect(net.audit().ok).toBe(true);
  });

  it('fails an accepted HTLC back at its CLTV expiry when nobody settles or cancels it', async () => {
    const { clock, net, alice, carol, bc, events } = setup();
    const before = await alice.balances();
    const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
    const pending = alice.pay(inv.paymentRequest, { timeoutMs: 81 * BLOCK_INTERVAL_MS });
    // Accepted at 20 ms; 80 blocks (the invoice's min_final_cltv_expiry) of 10 minutes later it expires.
    await clock.runUntilIdle(clock.now() + 80 * BLOCK_INTERVAL_MS - MINUTE);
    expect((await carol.lookupInvoice(paymentHash))?.state).toBe('accepted');
    await clock.runUntilIdle();
    const p = await pending;
    expect(p).toMatchObject({ status: 'failed', feeMsat: 0, failure: { reason: 'timeout' } });
    expect(p.resolvedAt! - p.createdAt).toBe(20 + 80 * BLOCK_INTERVAL_MS + 20);
    expect(await alice.balances()).toEqual(before);
    expect(bc.inFlight).toEqual([0, 0]);
    expect(events).toEqual(['open', 'accepted', 'canceled']);
    expect(net.audit().ok).toBe(true);
  });

  it('leaves no expiry timer behind once a hold is settled', async () => {
    const { clock, alice, carol } = setup();
    const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
    const pending = alice.pay(inv.paymentRequest);
    await clock.advance(1_000);
    await carol.settleInvoice(preimage);
    await clock.runUntilIdle();
    expect((await pending).status).toBe('succeeded');
    expect(clock.pending).toBe(0);
    expect(clock.now() - inv.createdAt).toBe(1_000 + 2 * 10);
  });

  const misuse: [string, (c: ReturnType<typeof setup>) => Promise<unknown>, string][] = [
    [
      'settling an invoice nobody paid yet',
      async ({ carol }) => {
        await carol.createHoldInvoice({ amountMsat: 1_000, paymentHash });
        await carol.settleInvoice(preimage);
      },
      'invalid_state',
    ],
    [
      'settling with a preimage of no invoice',
      ({ carol }) => carol.settleInvoice('bb'.repeat(32)),
      'unknown_invoice',
    ],
    ['settling with a malformed preimage', ({ carol }) => carol.settleInvoice('xyz'), 'invalid_state'],
    ['canceling an unknown invoice', ({ carol }) => carol.cancelInvoice(paymentHash), 'unknown_invoice'],
    [
      'a hold invoice with a malformed hash',
      ({ carol }) => carol.createHoldInvoice({ amountMsat: 1, paymentHash: 'nope' }),
      'invalid_invoice_request',
    ],
    [
      'two invoices with one hash',
      async ({ carol }) => {
        await carol.createHoldInvoice({ amountMsat: 1_000, paymentHash });
        await carol.createHoldInvoice({ amountMsat: 1_000, paymentHash });
      },
      'invalid_invoice_request',
    ],
  ];
  for (const [name, act, code] of misuse) {
    it(`throws a LabError ${code} for ${name}`, async () => {
      const err = await act(setup()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe(code);
    });
  }
});
