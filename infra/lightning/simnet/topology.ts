import type { Msat } from '../../money.js';
import type { Rng } from '../../random.js';
import type { ChannelOptions, SimChannel } from './graph.js';
import type { SimNetwork } from './network.js';
import type { SimNode } from './sim-node.js';
import { LabError } from '../../errors.js';

/**
 * Channel settings for generated topologies. `capacityMsat` may be a
 * function of the builder's rng (draw capacities from a distribution).
 * Unless `pushMsat` is given, every channel starts balanced (half each side).
 */
export interface TopologyChannelOptions extends Omit<ChannelOptions, 'capacityMsat'> {
  capacityMsat: Msat | ((rng: Rng) => Msat);
}

/** A generated network: its nodes (in creation order) and channels. */
export interface Topology {
  nodes: SimNode[];
  channels: SimChannel[];
}

function opener(net: SimNetwork, opts: TopologyChannelOptions, rng?: Rng) {
  const channels: SimChannel[] = [];
  const open = (a: SimNode, b: SimNode) => {
    const cap = typeof opts.capacityMsat === 'function' ? opts.capacityMsat(rng!) : opts.capacityMsat;
    const ch = net.openChannel(a, b, {
      ...opts,
      capacityMsat: cap,
      pushMsat: opts.pushMsat ?? Math.floor(cap / 2),
    });
    channels.push(ch);
    return ch;
  };
  return { channels, open };
}

function positive(n: number, what: string, min = 1): number {
  if (!Number.isSafeInteger(n) || n < min)
    throw new LabError('invalid_topology', `${what} must be an integer ≥ ${min}, got ${String(n)}`);
  return n;
}

/**
 * Hubs in a full mesh, each spoke connected to one hub (round-robin): the
 * shape of a marketplace around a few large routing nodes.
 */
export function hubAndSpoke(
  net: SimNetwork,
  {
    hubs = 1,
    spokes,
    prefix = '',
    ...channel
  }: TopologyChannelOptions & { hubs?: number; spokes: number; prefix?: string },
): Topology & { hubs: SimNode[]; spokes: SimNode[] } {
  positive(hubs, 'hubs');
  positive(spokes, 'spokes', 0);
  if (typeof channel.capacityMsat === 'function')
    throw new LabError('invalid_topology', 'hubAndSpoke needs a fixed capacityMsat');
  const { channels, open } = opener(net, channel);
  const hubNodes = Array.from({ length: hubs }, (_, i) => net.addNode({ alias: `${prefix}hub-${i}` }));
  for (let i = 0; i < hubs; i++) for (let j = i + 1; j < hubs; j++) open(hubNodes[i]!, hubNodes[j]!);
  const spokeNodes = Array.from({ length: spokes }, (_, i) => {
    const s = net.addNode({ alias: `${prefix}spoke-${i}` });
    open(s, hubNodes[i % hubs]!);
    return s;
  });
  return { nodes: [...hubNodes, ...spokeNodes], channels, hubs: hubNodes, spokes: spokeNodes };
}

/** `size` nodes in a cycle: every payment between non-neighbours is multi-hop. */
export function ring(
  net: SimNetwork,
  { size, prefix = '', ...channel }: TopologyChannelOptions & { size: number; prefix?: string },
): Topology {
  positive(size, 'size', 3);
  if (typeof channel.capacityMsat === 'function')
    throw new LabError('invalid_topology', 'ring needs a fixed capacityMsat');
  const { channels, open } = opener(net, channel);
  const nodes = Array.from({ length: size }, (_, i) => net.addNode({ alias: `${prefix}ring-${i}` }));
  for (let i = 0; i < size; i++) open(nodes[i]!, nodes[(i + 1) % size]!);
  return { nodes, channels };
}

/**
 * A seeded Barabási–Albert graph: start from `m + 1` nodes in a clique, then
 * each new node opens `m` channels to distinct existing nodes picked with
 * probability proportional to their channel count. Like the public
 * Lightning graph, a few hubs hold most channels.
 */
export function scaleFree(
  net: SimNetwork,
  {
    size,
    m = 2,
    rng,
    prefix = '',
    ...channel
  }: TopologyChannelOptions & { size: number; m?: number; rng: Rng; prefix?: string },
): Topology {
  positive(m, 'm');
  positive(size, 'size', m + 1);
  const { channels, open } = opener(net, channel, rng);
  const nodes: SimNode[] = [];
  // Each node appears once per channel end: a uniform pick from it is a degree-proportional pick.
  const ends: number[] = [];
  for (let i = 0; i <= m; i++) nodes.push(net.addNode({ alias: `${prefix}ba-${i}` }));
  for (let i = 0; i <= m; i++)
    for (let j = i + 1; j <= m; j++) {
      open(nodes[i]!, nodes[j]!);
      ends.push(i, j);
    }
  for (let i = m + 1; i < size; i++) {
    const node = net.addNode({ alias: `${prefix}ba-${i}` });
    nodes.push(node);
    const targets = new Set<number>();
    while (targets.size < m) targets.add(ends[rng.int(ends.length)]!);
    // Sorted, so the channel order (and thus scids) depends on the seed only.
    for (const t of [...targets].sort((a, b) => a - b)) {
      open(node, nodes[t]!);
      ends.push(i, t);
    }
  }
  return { nodes, channels };
}
