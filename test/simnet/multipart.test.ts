import { describe, expect, it } from 'vitest';
import { fixedLatency, type SimNetwork, type SimNode } from '../../infra/lightning/simnet/index.js';
import { makeNet, SAT, settle } from './helpers.js';

const CAP = 100_000 * SAT;

/**
 * Payer A reaches payee D over two disjoint two-hop paths (A-B-D, A-C-D).
 * A owns all of its two channels (99k sat spendable each); B-D and C-D start
 * balanced (49k sat spendable each after the 1% reserve).
 */
function diamond(multipart?: { maxParts: number; minShardMsat: number }) {
  const { clock, net } = makeNet({ latency: fixedLatency(5), ...(multipart && { multipart }) });
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((alias) => net.addNode({ alias })) as [
    SimNode,
    SimNode,
    SimNode,
    SimNode,
  ];
  for (const [x, y, pushMsat] of [
    [a, b, 0],
    [a, c, 0],
    [b, d, CAP / 2],
    [c, d, CAP / 2],
  ] as const)
    net.openChannel(x, y, { capacityMsat: CAP, pushMsat, baseFeeMsat: 1000, feeRatePpm: 100 });
  return { clock, net, a, b, c, d };
}

async function locals(net: SimNetwork): Promise<number[]> {
  return Promise.all(net.nodes.map(async (n) => (await n.balances()).localMsat));
}

describe('multi-part payments', () => {
  it('one part cannot carry 80k sat over channels with 50k sat a side: the payment fails', async () => {
    const { clock, a, d } = diamond();
    const inv = await d.createInvoice({ amountMsat: 80_000 * SAT });
    const p = await settle(clock, a.pay(inv.paymentRequest));
    expect(p.status).toBe('failed');
    expect(p.failure?.reason).toBe('no_route');
  });

  it('split over both paths, 80k sat arrives whole and every node ends where the payment says, to the msat', async () => {
    const { clock, net, a, b, c, d } = diamond({ maxParts: 4, minShardMsat: 10_000 * SAT });
    const before = await locals(net);
    const inv = await d.createInvoice({ amountMsat: 80_000 * SAT });
    const p = await settle(clock, a.pay(inv.paymentRequest));
    expect(p).toMatchObject({
      status: 'succeeded',
      amountMsat: 80_000_000,
      feeMsat: 10_000,
      hops: 2,
      attempts: 5,
    });
    const after = await locals(net);
    expect(after[a.index]! - before[a.index]!).toBe(-(80_000_000 + p.feeMsat));
    expect(after[d.index]! - before[d.index]!).toBe(80_000_000);
    expect(after[b.index]! - before[b.index]!).toBe(net.feesEarnedMsat(b));
    expect(after[c.index]! - before[c.index]!).toBe(net.feesEarnedMsat(c));
    expect(net.feesEarnedMsat(b) + net.feesEarnedMsat(c)).toBe(p.feeMsat);
    expect(net.audit()).toMatchObject({ ok: true, violations: [] });
    await expect(d.lookupInvoice(inv.paymentHash)).resolves.toMatchObject({ state: 'settled' });
  });

  it('all or nothing: when the paths together cannot carry the amount, no shard settles and every balance is restored', async () => {
    const { clock, net, a, d } = diamond({ maxParts: 8, minShardMsat: 5_000 * SAT });
    const before = await locals(net);
    const inv = await d.createInvoice({ amountMsat: 120_000 * SAT });
    const p = await settle(clock, a.pay(inv.paymentRequest));
    expect(p.status).toBe('failed');
    expect(p.failure?.reason).toBe('no_route');
    expect(await locals(net)).toEqual(before);
    for (const n of net.nodes) expect((await n.balances()).pendingOutMsat).toBe(0);
    expect(net.audit().ok).toBe(true);
    await expect(d.lookupInvoice(inv.paymentHash)).resolves.toMatchObject({ state: 'open' });
  });
});
