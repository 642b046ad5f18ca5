import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import type { Payment } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { alicePaysBob } from './helpers.js';

const preimage = 'ab'.repeat(32);
const paymentHash = hex.encode(sha256(hex.decode(preimage)));

/** Bob's 50,000 msat hold invoice (10 ms a hop); alice's first pay (1,000 ms timeout) answers in_flight while bob holds the HTLC. */
async function heldByBob() {
  const w = alicePaysBob({ latency: fixedLatency(10) });
  const { clock, alice, bob } = w;
  const start = clock.now();
  const before = (await alice.balances()).localMsat;
  const inv = await bob.createHoldInvoice({ amountMsat: 50_000, paymentHash });
  const first = alice.pay(inv.paymentRequest, { timeoutMs: 1_000 });
  await clock.advance(2_000);
  /** Pays the invoice again now; records the answer and when it came (ms since the first pay). */
  const payAgain = (timeoutMs?: number) => {
    const seen: { p?: Payment; atMs?: number } = {};
    void alice
      .pay(inv.paymentRequest, timeoutMs === undefined ? {} : { timeoutMs })
      .then((p) => Object.assign(seen, { p, atMs: clock.now() - start }));
    return seen;
  };
  const spent = async () => before - (await alice.balances()).localMsat;
  return { ...w, start, first: await first, payAgain, spent };
}

const inFlight = { paymentHash, status: 'in_flight', amountMsat: 50_000, feeMsat: 0, hops: 0, attempts: 1 };

describe('a second pay of an invoice whose payment is in flight follows that payment, as LND’s adapter does', () => {
  it('answers in_flight at its own 1,000 ms timeout (at 3,000 ms), starting nothing: 50,000 msat locked once', async () => {
    const { clock, start, first, payAgain, alice } = await heldByBob();
    expect(first).toEqual({ ...inFlight, createdAt: start });
    const second = payAgain(1_000);
    await clock.advance(999);
    expect(second.p).toBeUndefined();
    await clock.advance(1);
    expect(second).toEqual({ p: { ...inFlight, createdAt: start }, atMs: 3_000 });
    expect((await alice.balances()).pendingOutMsat).toBe(50_000);
  });

  it('answers the payment’s outcome when it ends first: bob settles at 2,500 ms, both this pay and the lookup say succeeded at 2,510 ms, and alice paid 50,000 msat once', async () => {
    const { clock, start, bob, alice, payAgain, spent } = await heldByBob();
    const second = payAgain(60_000);
    const third = payAgain();
    await clock.advance(500);
    await bob.settleInvoice(preimage);
    await clock.runUntilIdle();
    const succeeded = {
      ...inFlight,
      status: 'succeeded',
      preimage,
      hops: 1,
      createdAt: start,
      resolvedAt: start + 2_510,
    };
    expect(second).toEqual({ p: succeeded, atMs: 2_510 });
    expect(third).toEqual({ p: succeeded, atMs: 2_510 });
    expect(await alice.lookupPayment(paymentHash)).toEqual(succeeded);
    expect(await spent()).toBe(50_000);
  });
});
