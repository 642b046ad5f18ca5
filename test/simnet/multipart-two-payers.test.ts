import { describe, expect, it } from 'vitest';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import { makeNet, SAT } from './helpers.js';

const CAP = 100_000 * SAT;

/**
 * Payer a reaches payee d over two two-hop paths that carry 49k sat each (so 80k sat goes in shards);
 * payer e has a channel of its own to d that carries it whole.
 */
function twoPayers() {
  const { clock, net } = makeNet({
    latency: fixedLatency(5),
    multipart: { maxParts: 4, minShardMsat: 10_000 * SAT },
  });
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((alias) => net.addNode({ alias })) as SimNode[];
  for (const [x, y, pushMsat] of [
    [a, b, 0],
    [a, c, 0],
    [b, d, CAP / 2],
    [c, d, CAP / 2],
  ] as const)
    net.openChannel(x!, y!, { capacityMsat: CAP, pushMsat, baseFeeMsat: 1000, feeRatePpm: 100 });
  net.openChannel(e!, d!, { capacityMsat: 10 * CAP });
  return { clock, net, a: a!, d: d!, e: e! };
}

describe('two payers paying one invoice with multi-part payments on', () => {
  it('their shards never mix: e’s whole payment settles 80k sat, a’s shards all fail back (already paid), a pays nothing and d is paid once', async () => {
    const { clock, net, a, d, e } = twoPayers();
    const locals = () => Promise.all([a, d, e].map(async (n) => (await n.balances()).localMsat));
    const before = await locals();
    const inv = await d.createInvoice({ amountMsat: 80_000 * SAT });
    const byA = a.pay(inv.paymentRequest);
    await clock.advance(7);
    const byE = e.pay(inv.paymentRequest);
    await clock.runUntilIdle();
    const [pa, pe] = await Promise.all([byA, byE]);
    const after = await locals();

    expect([pa.status, pa.failure?.reason, pa.feeMsat]).toEqual(['failed', 'already_paid', 0]);
    expect([pe.status, pe.amountMsat, pe.feeMsat]).toEqual(['succeeded', 80_000_000, 0]);
    expect(after.map((v, i) => v - before[i]!)).toEqual([0, 80_000_000, -80_000_000]);
    expect((await d.lookupInvoice(inv.paymentHash))?.amountPaidMsat).toBe(80_000_000);
    expect((await a.lookupPayment(inv.paymentHash))?.status).toBe('failed');
    expect(net.audit().ok).toBe(true);
  });
});
