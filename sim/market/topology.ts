import type { Rng } from '../../infra/random.js';
import type { SimNetwork, SimNode } from '../../infra/lightning/simnet/index.js';
import type { NetworkSpec } from '../scenario/schema.js';
import { instanceNames } from '../scenario/checks.js';

/**
 * The embedded network's shape: routing nodes (a hub and spokes, a ring or
 * a scale-free graph) and the channels that connect agents to them. Routers
 * earn the routing fees; agents never forward (their channels charge none).
 */
export interface Topology {
  routers: SimNode[];
  /** Opens a channel from an agent that pays (buyers, resellers): the agent funds it. */
  attachPayer(node: SimNode, balanceMsat: number): void;
  /** Opens a channel toward an agent that gets paid (sellers): the router funds it, giving the agent inbound room. */
  attachPayee(node: SimNode, capacityMsat: number): void;
}

/** Builds the routers and their channels, and returns how agents attach. */
export function buildTopology(net: SimNetwork, spec: NetworkSpec, rng: Rng): Topology {
  const t = spec.topology;
  const count = t.kind === 'hub_and_spoke' ? t.hubs : t.routers;
  const routers = instanceNames('router', count).map((alias) => net.addNode({ alias }));
  const fees = { baseFeeMsat: spec.baseFeeMsat, feeRatePpm: spec.feeRatePpm };
  const link = (a: SimNode, b: SimNode) =>
    net.openChannel(a, b, {
      capacityMsat: spec.routerChannelMsat,
      pushMsat: Math.floor(spec.routerChannelMsat / 2),
      ...fees,
    });
  if (t.kind === 'hub_and_spoke') {
    // Hubs fully meshed.
    for (let i = 0; i < routers.length; i++)
      for (let j = i + 1; j < routers.length; j++) link(routers[i]!, routers[j]!);
  } else if (t.kind === 'ring') {
    if (routers.length > 1)
      for (let i = 0; i < routers.length; i++) link(routers[i]!, routers[(i + 1) % routers.length]!);
  } else {
    // Preferential attachment (Barabási–Albert): each new router links to `edgesPerNode` earlier ones, chosen by degree.
    const degree = routers.map(() => 0);
    for (let i = 1; i < routers.length; i++) {
      const targets = new Set<number>();
      const want = Math.min(t.edgesPerNode, i);
      while (targets.size < want) {
        const total = degree.slice(0, i).reduce((a, d) => a + d + 1, 0);
        let x = rng.next() * total;
        let pick = 0;
        for (let j = 0; j < i; j++) {
          x -= degree[j]! + 1;
          if (x < 0) {
            pick = j;
            break;
          }
        }
        targets.add(pick);
      }
      for (const j of [...targets].sort((a, b) => a - b)) {
        link(routers[i]!, routers[j]!);
        degree[i]!++;
        degree[j]!++;
      }
    }
  }
  let payers = 0;
  let payees = 0;
  // Agents spread over routers in turn (payers and payees separately), so paths cross the core.
  const payerRouter = () => routers[payers++ % routers.length]!;
  const payeeRouter = () => routers[(payees++ + Math.floor(routers.length / 2)) % routers.length]!;
  return {
    routers,
    attachPayer(node, balanceMsat) {
      if (balanceMsat <= 0) return;
      const ch = net.openChannel(node, payerRouter(), { capacityMsat: balanceMsat, reserveMsat: 0, ...fees });
      net.setPolicy(ch, node, { baseFeeMsat: 0, feeRatePpm: 0 });
    },
    attachPayee(node, capacityMsat) {
      const router = payeeRouter();
      const ch = net.openChannel(router, node, { capacityMsat, ...fees });
      net.setPolicy(ch, node, { baseFeeMsat: 0, feeRatePpm: 0 });
    },
  };
}
