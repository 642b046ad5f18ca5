import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import type { Payment } from '../../infra/lightning/node.js';
import type { VirtualClock } from '../../infra/time/virtual-clock.js';
import { makeNet, SAT } from './helpers.js';

const CAP = 1_000_000_000;
const TIMEOUT_MS = 60_000;
const SETTLE_AT_MS = 90_000;
const preimage = 'aa'.repeat(32);
const paymentHash = hex.encode(sha256(hex.decode(preimage)));

/** Alice pays Carol through Bob (10 ms a hop; Bob charges 1,000 msat + 1 ppm). */
function chain() {
  const { clock, net } = makeNet({ latency: fixedLatency(10) });
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias })) as [
    SimNode,
    SimNode,
    SimNode,
  ];
  net.openChannel(alice, bob, { capacityMsat: CAP });
  net.openChannel(bob, carol, { capacityMsat: CAP });
  return { clock, net, alice, carol };
}

/** Pays with `timeoutMs` and runs the clock no further than `untilMs` after now; the answer, and when it came. */
async function payUntil(clock: VirtualClock, payer: SimNode, bolt11: string, untilMs: number) {
  const start = clock.now();
  let answer: { p: Payment; atMs: number } | undefined;
  void payer.pay(bolt11, { timeoutMs: TIMEOUT_MS }).then((p) => (answer = { p, atMs: clock.now() - start }));
  await clock.runUntilIdle(start + untilMs);
  return { answer, start };
}

describe('pay with timeoutMs on the simnet, as LND answers', () => {
  it.each([
    ['settles', 'succeeded', 1_005, 5_001_005],
    ['cancels', 'failed', 0, 0],
  ] as const)(
    'the payee holds the HTLC past 60 s: pay answers in_flight at 60 s with 5,001,005 msat locked; the payment goes on and when the payee %s it at 90 s the record says %s (fee %i msat) and the payer lost %i msat',
    async (act, status, feeMsat, lostMsat) => {
      const { clock, net, alice, carol } = chain();
      const before = await alice.balances();
      const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
      const { answer, start } = await payUntil(clock, alice, inv.paymentRequest, 70_000);
      expect(answer?.atMs).toBe(TIMEOUT_MS);
      expect(answer?.p).toMatchObject({
        paymentHash,
        status: 'in_flight',
        amountMsat: 5_000_000,
        feeMsat: 0,
      });
      expect((await alice.balances()).pendingOutMsat).toBe(5_001_005);
      expect(await alice.lookupPayment(paymentHash)).toMatchObject({ status: 'in_flight' });

      await clock.advanceTo(start + SETTLE_AT_MS);
      if (act === 'settles') await carol.settleInvoice(preimage);
      else await carol.cancelInvoice(paymentHash);
      await clock.runUntilIdle();
      expect(await alice.lookupPayment(paymentHash)).toMatchObject({ status, feeMsat });
      const after = await alice.balances();
      expect(before.localMsat - after.localMsat).toBe(lostMsat);
      expect(after.pendingOutMsat).toBe(0);
      expect(net.audit().ok).toBe(true);
    },
  );

  it('a payment that ends within its timeout answers its outcome at once (succeeded at 40 ms: two hops out, two back) and leaves no timer behind; a held one in the same network answers in_flight at 60 s', async () => {
    const { clock, alice, carol } = chain();
    const plain = await carol.createInvoice({ amountMsat: 5_000_000 });
    const first = await payUntil(clock, alice, plain.paymentRequest, 70_000);
    expect([first.answer?.p.status, first.answer?.atMs]).toEqual(['succeeded', 40]);
    expect([clock.pending, clock.now() - first.start]).toEqual([0, 40]);

    const held = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
    const second = await payUntil(clock, alice, held.paymentRequest, 70_000);
    expect([second.answer?.p.status, second.answer?.atMs]).toEqual(['in_flight', TIMEOUT_MS]);
    await carol.cancelInvoice(paymentHash);
    await clock.runUntilIdle();
  });

  it('with multi-part payments on, 80k sat in shards held at the payee answers in_flight at 60 s and succeeds when the payee settles at 90 s (fee 10,000 msat)', async () => {
    const { clock, net } = makeNet({
      latency: fixedLatency(5),
      multipart: { maxParts: 4, minShardMsat: 10_000 * SAT },
    });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((alias) => net.addNode({ alias })) as SimNode[];
    for (const [x, y, pushMsat] of [
      [a, b, 0],
      [a, c, 0],
      [b, d, 50_000 * SAT],
      [c, d, 50_000 * SAT],
    ] as const)
      net.openChannel(x!, y!, { capacityMsat: 100_000 * SAT, pushMsat, baseFeeMsat: 1000, feeRatePpm: 100 });
    const before = (await a!.balances()).localMsat;
    const inv = await d!.createHoldInvoice({ amountMsat: 80_000 * SAT, paymentHash });
    const { answer, start } = await payUntil(clock, a!, inv.paymentRequest, 70_000);
    expect([answer?.p.status, answer?.atMs]).toEqual(['in_flight', TIMEOUT_MS]);
    await clock.advanceTo(start + SETTLE_AT_MS);
    await d!.settleInvoice(preimage);
    await clock.runUntilIdle();
    expect(await a!.lookupPayment(paymentHash)).toMatchObject({ status: 'succeeded', feeMsat: 10_000 });
    expect(before - (await a!.balances()).localMsat).toBe(80_000 * SAT + 10_000);
    expect(net.audit().ok).toBe(true);
  });
});
