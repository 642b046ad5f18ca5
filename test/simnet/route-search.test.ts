/**
 * The route search skips an edge without weighing it when its sender is
 * already labelled within the least weight any edge can have (the attempt
 * cost at probability 1) of the node just settled: no such edge can
 * improve the label. The bound must be exactly that: here a later-settled
 * node offers the sender a way cheaper by a margin between one and two
 * attempt costs, which a looser bound would skip.
 */
import { describe, expect, it } from 'vitest';
import { MissionControl, Router } from '../../infra/lightning/simnet/index.js';
import { makeNet } from './helpers.js';

const CAP = 1_000_000_000;

describe('route search', () => {
  it('relabels a sender when a later-settled node offers it a way cheaper by less than two attempt costs', () => {
    const { net } = makeNet();
    const [payer, u, x, y, payee] = ['payer', 'u', 'x', 'y', 'payee'].map((alias) => net.addNode({ alias }));
    const free = { capacityMsat: CAP, baseFeeMsat: 0, feeRatePpm: 0 };
    net.openChannel(payer!, u!, { ...free, reserveMsat: 0 });
    // x is settled first (it forwards to the payee for nothing) and labels u through a 30 sat fee;
    // y is settled next (it charges 10 sat) and offers u a way for nothing: 20 sat cheaper in all.
    net.openChannel(u!, x!, { ...free, baseFeeMsat: 30_000 });
    net.openChannel(u!, y!, free);
    net.openChannel(x!, payee!, free);
    net.openChannel(y!, payee!, { ...free, baseFeeMsat: 10_000 });
    const route = new Router(net.graph).findRoute({
      source: payer!.index,
      target: payee!.index,
      amountMsat: 10_000,
      maxFeeMsat: 100_000,
      finalCltv: 40,
      now: 0,
      kind: 'lnd',
      mc: new MissionControl(),
      online: [true, true, true, true, true],
    });
    expect(route?.edges.map((e) => net.nodes[net.graph.to(e)]!.alias)).toEqual(['u', 'y', 'payee']);
    expect(route).toMatchObject({ amounts: [20_000, 20_000, 10_000], feeMsat: 10_000 });
  });
});
