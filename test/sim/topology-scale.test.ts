/**
 * A scale-free market network of thousands of routers, pinned exactly:
 * preferential attachment and degree attach draw a router in O(log
 * routers) (a WeightTree) where they used to scan every router, and must
 * still draw the same routers from the same seed. Each network is built as
 * a run with that seed builds it (the run's rng forked 'topology').
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { SimNetwork } from '../../infra/lightning/simnet/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { networkSchema } from '../../sim/scenario/network-schema.js';
import { buildTopology } from '../../sim/market/topology.js';

/** A scale-free network of `routers` with degree attach, and `payers` payers attached to it. */
function build(routers: number, edgesPerNode: number, seed: string | number, payers: number) {
  const net = new SimNetwork({ clock: new VirtualClock(), rng: createRng(seed).fork('simnet') });
  const spec = networkSchema.parse({
    topology: { kind: 'scale_free', routers, edgesPerNode },
    attach: 'degree',
  });
  const topo = buildTopology(net, spec, createRng(seed).fork('topology'));
  const routerChannels = net.graph.channels.slice();
  const hubs = topo.routers
    .map((r) => [r.alias, net.graph.outEdges[r.index]!.length] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  for (let i = 0; i < payers; i++) topo.attachPayer(net.addNode({ alias: `payer-${i}` }), 1000);
  const picks = net.graph.channels.slice(routerChannels.length).map((c) => net.nodes[c.nodes[1]]!.alias);
  const sha = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');
  return {
    routerChannels,
    hubs,
    /** Every router channel's endpoints and capacity, in the order they were opened. */
    channelsSha: sha(routerChannels.map((c) => `${c.nodes[0]}-${c.nodes[1]} ${c.capacityMsat}`)),
    picksSha: sha(picks),
    picksOf: (alias: string) => picks.filter((p) => p === alias).length,
  };
}

describe('a seeded scale-free network of 5,000 routers', () => {
  const net = build(5000, 3, 1, 10_000);

  it('seed 1, edgesPerNode 3: 14,994 router channels, in the same order as ever', () => {
    expect(net.routerChannels.length).toBe(14_994);
    expect(net.channelsSha).toBe('da2309fd9bf2666369d9f65cdc9f716ecb6ccb79a58c83365b14a8f0f5edd952');
  });

  it('seed 1, edgesPerNode 3: its five largest hubs and their channel counts', () => {
    expect(net.hubs).toEqual([
      ['router-2', 172],
      ['router-4', 124],
      ['router-3', 116],
      ['router-7', 116],
      ['router-1', 111],
    ]);
  });

  it('seed 1: 10,000 payers attaching by degree pick the same routers in the same order', () => {
    expect(net.picksSha).toBe('5612cae01d9ffdd5a31462afb45287c9bd0b8a9fd35f0b2e1c16c662fbaf8f3d');
    expect(['router-2', 'router-4', 'router-3', 'router-7', 'router-1'].map(net.picksOf)).toEqual([
      45, 31, 40, 27, 39,
    ]);
  });

  it("seed 'hubs', edgesPerNode 8: the first 9 routers fully meshed, then 8 channels per router", () => {
    const wide = build(5000, 8, 'hubs', 10_000);
    const firstMesh = wide.routerChannels.slice(0, 36).map((c) => c.nodes.join('-'));
    const pairs = [];
    for (let i = 1; i <= 8; i++) for (let j = 0; j < i; j++) pairs.push(`${i}-${j}`);
    expect(firstMesh).toEqual(pairs);
    expect(wide.routerChannels.length).toBe(39_964);
    expect(wide.channelsSha).toBe('9d3e743048424adeb0fe239b7d275f374ca66773bfda4caadb02a54ddb921f28');
    expect(wide.hubs).toEqual([
      ['router-11', 311],
      ['router-7', 284],
      ['router-4', 276],
      ['router-0', 271],
      ['router-22', 241],
    ]);
    expect(wide.picksSha).toBe('95b06c1eb5498654b39a3522efcf452fd2293640fc332e4043355920a08be9ae');
  });
});
