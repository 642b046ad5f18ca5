import { LndNode, type LndNodeOptions } from '../lightning/lnd/index.js';
import type { NetworkDesc, NodeDesc } from './network-file.js';

/**
 * An `LndNode` for one node of a network description: reads its tls.cert and
 * macaroon. This is how agents, services and the simulator get a real node.
 *
 * @example
 * const net = await loadNetwork('.regtest/network.json');
 * const seller = await connectNode(nodeByName(net, 'seller-1'));
 */
export function connectNode(desc: NodeDesc, opts: Omit<LndNodeOptions, 'connection'> = {}): Promise<LndNode> {
  return LndNode.fromFiles(desc, opts);
}

/** Connects every node of a description; name → node. Close them with `closeAll`. */
export async function connectNetwork(
  net: NetworkDesc,
  opts: Omit<LndNodeOptions, 'connection'> = {},
): Promise<Map<string, LndNode>> {
  const entries = await Promise.all(
    net.nodes.map(async (n) => [n.name, await connectNode(n, opts)] as const),
  );
  return new Map(entries);
}

/** Closes every node's connections and invoice feeds. */
export async function closeAll(nodes: Iterable<LndNode>): Promise<void> {
  await Promise.all([...nodes].map((n) => n.close()));
}
