import type { EmbeddedWorld } from '../market/embedded-world.js';
import type { World } from '../market/world.js';
import type { GraphChannel, GraphNode, GraphView } from './snapshot.js';

/** Above this many nodes, agents are folded into one node per group (routers and sellers stay). */
export const MAX_GRAPH_NODES = 80;

/**
 * Reads the Lightning graph for the page. On the embedded network every
 * channel and balance is known; agents beyond MAX_GRAPH_NODES fold into
 * their group so a market of thousands stays drawable. A channel is marked
 * `moved` when its balance changed since the previous read.
 */
export class GraphReader {
  readonly #last = new Map<number, number>();

  constructor(
    readonly world: EmbeddedWorld,
    /** The group of an agent's node (undefined for routers and sellers, which never fold). */
    readonly groupOf: (node: string) => string | undefined,
  ) {}

  read(): GraphView {
    const net = this.world.net;
    const roles = new Map(this.world.ledgerNodes().map((n) => [n.name, n.role]));
    const aggregated = net.nodes.length > MAX_GRAPH_NODES;
    const idOf = net.nodes.map((n) => {
      const role = roles.get(n.alias) ?? 'router';
      const group = aggregated && role !== 'router' && role !== 'seller' ? this.groupOf(n.alias) : undefined;
      return group === undefined ? n.alias : `${group} ×`;
    });
    const nodes = new Map<string, GraphNode>();
    net.nodes.forEach((n, i) => {
      const id = idOf[i]!;
      const node = nodes.get(id) ?? {
        id,
        role: roles.get(n.alias) ?? 'router',
        online: true,
        localMsat: 0,
        members: 0,
      };
      node.members++;
      node.online &&= net.isOnline(n);
      nodes.set(id, node);
    });
    const channels = new Map<string, GraphChannel>();
    for (const ch of net.graph.channels) {
      const [i, j] = ch.nodes;
      const a = idOf[i]!;
      const b = idOf[j]!;
      nodes.get(a)!.localMsat += ch.balance[0];
      nodes.get(b)!.localMsat += ch.balance[1];
      const before = this.#last.get(ch.id);
      this.#last.set(ch.id, ch.balance[0]);
      const moved = before !== undefined && before !== ch.balance[0];
      const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
      const flip = a > b;
      const c = channels.get(key) ?? {
        a: flip ? b : a,
        b: flip ? a : b,
        capacityMsat: 0,
        aMsat: 0,
        bMsat: 0,
        moved: false,
      };
      c.capacityMsat += ch.capacityMsat;
      c.aMsat += flip ? ch.balance[1] : ch.balance[0];
      c.bMsat += flip ? ch.balance[0] : ch.balance[1];
      c.moved ||= moved;
      channels.set(key, c);
    }
    return {
      nodes: [...nodes.values()],
      channels: [...channels.values()],
      aggregated,
      note: aggregated ? 'agents folded into one node per group' : '',
    };
  }
}

/**
 * On a real network the view knows the market's own nodes and their
 * balances (read from each node), not the channels between them.
 */
export async function readLedgerGraph(world: World): Promise<GraphView> {
  const nodes: GraphNode[] = [];
  for (const { name, role, node } of world.ledgerNodes()) {
    const b = await node.balances().catch(() => undefined);
    nodes.push({ id: name, role, online: b !== undefined, localMsat: b?.localMsat ?? 0, members: 1 });
  }
  return { nodes, channels: [], aggregated: false, note: 'real network: node balances (channels not shown)' };
}
