import { describe, expect, it } from 'vitest';
import { lognormalLatency, ring } from '../../infra/lightning/simnet/index.js';
import { makeNet, SAT, settle } from './helpers.js';

/**
 * Node 0 pays node 3 forty times across a 6-node ring (2 forwarding nodes,
 * 20% per-hop failures, log-normal latency, one attempt each); before each of
 * its payments node 1 makes `others` payments to node 4. Returns what node 0
 * saw: each payment's outcome and duration.
 */
async function firstPayer(others: number) {
  const { clock, net } = makeNet({
    seed: 7,
    hopFailureProbability: 0.2,
    maxAttempts: 1,
    latency: lognormalLatency(20),
    router: 'omniscient', // no mission control: only the random draws could couple the payers
  });
  const { nodes } = ring(net, { size: 6, capacityMsat: 100_000_000 * SAT, baseFeeMsat: 0, feeRatePpm: 0 });
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    for (let j = 0; j < others; j++) {
      const inv = await nodes[4]!.createInvoice({ amountMsat: 1000 * SAT });
      await settle(clock, nodes[1]!.pay(inv.paymentRequest));
    }
    const inv = await nodes[3]!.createInvoice({ amountMsat: 1000 * SAT });
    const p = await settle(clock, nodes[0]!.pay(inv.paymentRequest));
    seen.push(`${p.status === 'succeeded' ? 'ok' : p.failure!.reason} ${p.resolvedAt! - p.createdAt}`);
  }
  return seen;
}

describe('each payer draws latency and hop failures from its own streams', () => {
  it("another payer's payments leave a payer's outcomes and durations unchanged (common random numbers)", async () => {
    const alone = await firstPayer(0);
    expect(await firstPayer(1)).toEqual(alone);
    expect(await firstPayer(3)).toEqual(alone);
    expect(new Set(alone.map((s) => s.split(' ')[0]))).toEqual(new Set(['ok', 'no_route']));
  });
});
