import { describe, expect, it } from 'vitest';
import { lognormalLatency, ring } from '../../infra/lightning/simnet/index.js';
import { makeNet, SAT, settle } from './helpers.js';
import { LabError } from '../../infra/errors.js';

/** 100 payments of 1k sat, one after another, across a 6-node ring (3 channels, 2 forwarding nodes on every route), one attempt each. */
async function run(seed: number, hopFailureProbability: number) {
  const { clock, net } = makeNet({
    seed,
    hopFailureProbability,
    maxAttempts: 1,
    latency: lognormalLatency(20),
    router: 'omniscient', // no mission control: a failure must not steer the next payment away
  });
  const { nodes } = ring(net, { size: 6, capacityMsat: 100_000_000 * SAT, baseFeeMsat: 0, feeRatePpm: 0 });
  const outcomes: string[] = [];
  for (let i = 0; i < 100; i++) {
    const inv = await nodes[3]!.createInvoice({ amountMsat: 1000 * SAT });
    const p = await settle(clock, nodes[0]!.pay(inv.paymentRequest));
    outcomes.push(p.status === 'succeeded' ? 'ok' : p.failure!.reason);
  }
  return {
    outcomes,
    failed: outcomes.filter((o) => o !== 'ok').length,
    endMs: clock.now(),
    audit: net.audit(),
  };
}

describe('exogenous per-hop failure probability', () => {
  it('fails 32 of 100 single-attempt payments over 2 forwarding nodes at 20% per hop (expected 1 − 0.8² = 36%)', async () => {
    const r = await run(1, 0.2);
    expect(r.failed).toBe(32);
    expect(new Set(r.outcomes)).toEqual(new Set(['ok', 'no_route']));
    expect(r.audit.ok).toBe(true);
  });

  it('is seeded: the same seed gives the same outcome sequence and timings, another seed another sequence', async () => {
    const [a, b, c] = [await run(1, 0.2), await run(1, 0.2), await run(2, 0.2)];
    expect(b.outcomes).toEqual(a.outcomes);
    expect(b.endMs).toBe(a.endMs);
    expect(c.outcomes).not.toEqual(a.outcomes);
  });

  it('at probability 0 nothing fails and latency draws are those of a network without the setting', async () => {
    const r = await run(1, 0);
    expect(r.failed).toBe(0);
    const { clock, net } = makeNet({
      seed: 1,
      maxAttempts: 1,
      latency: lognormalLatency(20),
      router: 'omniscient',
    });
    const { nodes } = ring(net, { size: 6, capacityMsat: 100_000_000 * SAT, baseFeeMsat: 0, feeRatePpm: 0 });
    for (let i = 0; i < 100; i++) {
      const inv = await nodes[3]!.createInvoice({ amountMsat: 1000 * SAT });
      await settle(clock, nodes[0]!.pay(inv.paymentRequest));
    }
    expect(clock.now()).toBe(r.endMs);
  });

  it('refuses a probability outside 0..1', () => {
    expect(() => makeNet({ hopFailureProbability: 1.5 })).toThrow(LabError);
    expect(() => makeNet({ hopFailureProbability: 1.5 })).toThrow(
      'hopFailureProbability must be a number in 0..1, got 1.5',
    );
  });
});
