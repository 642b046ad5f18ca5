import type { Rng } from '../../infra/random.js';
import {
  fromJson,
  sampleFraction,
  sampleInt,
  type SimChannel,
  type SimLnNetwork,
  type SimNetwork,
  type SimNode,
} from '../../infra/lightning/simnet/index.js';
import type { NetworkSpec } from '../scenario/schema.js';
import type { ChannelClassSpec } from '../scenario/network-schema.js';
import { instanceNames } from '../scenario/checks.js';
import { WeightTree } from './weight-tree.js';
import { MIN_CHANNEL_MSAT } from '../scenario/capacities.js';

/**
 * The embedded network's shape: routing nodes (a hub and spokes, a ring, a
 * scale-free graph, or the nodes of a SimLN file) and the channels that
 * connect agents to them. Routers earn the routing fees; agents never
 * forward (their channels charge none).
 */
export interface Topology {
  routers: SimNode[];
  /** Opens a channel from an agent that pays (buyers, resellers): the agent funds it. */
  attachPayer(node: SimNode, balanceMsat: number): void;
  /** Opens a channel toward an agent that gets paid (sellers): the router funds it, giving the agent inbound room. */
  attachPayee(node: SimNode, capacityMsat: number): void;
}

/**
 * Draws one class's channels: capacity (or the fixed one; a draw is at
 * least `MIN_CHANNEL_MSAT`, the least a channel opens with), the funder's
 * share (default: half, or all for seller channels), and each direction's
 * fees. Every draw comes from the class's own stream, so a class without
 * distributions draws nothing and runs as before.
 */
function channelClass(spec: NetworkSpec, cls: ChannelClassSpec | undefined, rng: Rng) {
  return {
    capacity: (fixed: number) => (cls?.capacity ? sampleInt(cls.capacity, rng, MIN_CHANNEL_MSAT) : fixed),
    push: (cap: number, funderShare: number) => {
      if (!cls?.split) return funderShare === 1 ? 0 : Math.floor(cap / 2);
      return cap - Math.round(cap * sampleFraction(cls.split, rng));
    },
    /** Fees `from` announces on `ch` (the scenario's fixed fees unless the class draws them). */
    fees(net: SimNetwork, ch: SimChannel, from: SimNode) {
      if (!cls?.baseFee && !cls?.feeRate) return;
      net.setPolicy(ch, from, {
        baseFeeMsat: cls.baseFee ? sampleInt(cls.baseFee, rng) : spec.baseFeeMsat,
        feeRatePpm: cls.feeRate ? sampleInt(cls.feeRate, rng) : spec.feeRatePpm,
      });
    },
  };
}

/** Builds the routers and their channels, and returns how agents attach. */
export function buildTopology(net: SimNetwork, spec: NetworkSpec, rng: Rng, file?: SimLnNetwork): Topology {
  const fees = { baseFeeMsat: spec.baseFeeMsat, feeRatePpm: spec.feeRatePpm };
  const routerClass = channelClass(spec, spec.channels?.router, rng.fork('channels/router'));
  const sellerClass = channelClass(spec, spec.channels?.seller, rng.fork('channels/seller'));
  const link = (a: SimNode, b: SimNode) => {
    const cap = routerClass.capacity(spec.routerChannelMsat);
    const ch = net.openChannel(a, b, { capacityMsat: cap, pushMsat: routerClass.push(cap, 0.5), ...fees });
    routerClass.fees(net, ch, a);
    routerClass.fees(net, ch, b);
  };
  const routers = file
    ? fromJson(net, file, { pushMsat: (cap) => routerClass.push(cap, 0.5) }).nodes
    : generatedRouters(net, spec, rng, link);
  const pick = routerPicker(net, routers, spec.attach ?? 'round_robin', rng.fork('attach'));
  return {
    routers,
    attachPayer(node, balanceMsat) {
      if (balanceMsat <= 0) return;
      const ch = net.openChannel(node, pick('payer'), { capacityMsat: balanceMsat, reserveMsat: 0, ...fees });
      net.setPolicy(ch, node, { baseFeeMsat: 0, feeRatePpm: 0 });
    },
    attachPayee(node, capacityMsat) {
      // Several channels go to distinct routers while distinct ones are easy to find.
      const used = new Set<SimNode>();
      for (let i = 0; i < (spec.channels?.seller?.count ?? 1); i++) {
        let router = pick('payee');
        for (let tries = 0; used.has(router) && tries < 10; tries++) router = pick('payee');
        used.add(router);
        const cap = sellerClass.capacity(capacityMsat);
        const ch = net.openChannel(router, node, {
          capacityMsat: cap,
          pushMsat: sellerClass.push(cap, 1),
          ...fees,
        });
        sellerClass.fees(net, ch, router);
        net.setPolicy(ch, node, { baseFeeMsat: 0, feeRatePpm: 0 });
      }
    },
  };
}

function generatedRouters(
  net: SimNetwork,
  spec: NetworkSpec,
  rng: Rng,
  link: (a: SimNode, b: SimNode) => void,
): SimNode[] {
  const t = spec.topology;
  const count = t.kind === 'hub_and_spoke' ? t.hubs : t.routers;
  const routers = instanceNames('router', count).map((alias) => net.addNode({ alias }));
  if (t.kind === 'hub_and_spoke') {
    // Hubs fully meshed.
    for (let i = 0; i < routers.length; i++)
      for (let j = i + 1; j < routers.length; j++) link(routers[i]!, routers[j]!);
  } else if (t.kind === 'ring') {
    if (routers.length > 1)
      for (let i = 0; i < routers.length; i++) link(routers[i]!, routers[(i + 1) % routers.length]!);
  } else {
    preferentialAttachment(routers, t.edgesPerNode, rng, link);
  }
  return routers;
}

/**
 * Preferential attachment (Barabási–Albert): each new router links to
 * `edgesPerNode` earlier ones, each drawn with probability proportional to
 * its channel count plus one (a draw past every weight picks the first).
 * The weights live in a WeightTree, so a draw costs O(log routers), not a
 * scan of every earlier router.
 */
function preferentialAttachment(
  routers: SimNode[],
  edgesPerNode: number,
  rng: Rng,
  link: (a: SimNode, b: SimNode) => void,
): void {
  const weights = new WeightTree(routers.map(() => 1));
  for (let i = 1; i < routers.length; i++) {
    const targets = new Set<number>();
    const want = Math.min(edgesPerNode, i);
    const total = weights.prefix(i);
    while (targets.size < want) {
      const pick = weights.find(rng.next() * total);
      targets.add(pick < i ? pick : 0);
    }
    for (const j of [...targets].sort((a, b) => a - b)) {
      link(routers[i]!, routers[j]!);
      weights.add(i, 1);
      weights.add(j, 1);
    }
  }
}

/**
 * Which router an agent attaches to. `round_robin`: in turn (payers from
 * the first router, payees from the middle one), so paths cross the core.
 * `degree`: with probability proportional to the router's channel count
 * plus one, as new nodes on the public network open channels to hubs.
 */
function routerPicker(net: SimNetwork, routers: SimNode[], attach: 'round_robin' | 'degree', rng: Rng) {
  if (attach === 'degree') {
    const index = new Set(routers.map((r) => r.index));
    const weights = routers.map(
      (r) => 1 + net.graph.outEdges[r.index]!.filter((e) => index.has(net.graph.to(e))).length,
    );
    const tree = new WeightTree(weights);
    const total = tree.prefix(routers.length);
    return () => routers[Math.min(tree.find(rng.next() * total), routers.length - 1)]!;
  }
  let payers = 0;
  let payees = 0;
  return (side: 'payer' | 'payee') =>
    side === 'payer'
      ? routers[payers++ % routers.length]!
      : routers[(payees++ + Math.floor(routers.length / 2)) % routers.length]!;
}
