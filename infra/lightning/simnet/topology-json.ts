import type { Msat } from '../../money.js';
import type { SimChannel } from './graph.js';
import type { SimNetwork } from './network.js';
import type { SimNode } from './sim-node.js';
import { DEFAULT_MIN_HTLC_MSAT, makePolicy, type ChannelPolicy } from './channel-policy.js';
import { LabError } from '../../errors.js';

/** One side of a channel in SimLN's `sim_network` description. */
export interface SimLnChannelSide {
  pubkey: string;
  alias?: string;
  max_htlc_count?: number;
  max_in_flight_msat?: Msat;
  min_htlc_size_msat?: Msat;
  max_htlc_size_msat?: Msat;
  cltv_expiry_delta?: number;
  base_fee?: Msat;
  fee_rate_prop?: number;
}

/** One channel of SimLN's `sim_network`. */
export interface SimLnChannel {
  scid?: number | string;
  capacity_msat: Msat;
  node_1: SimLnChannelSide;
  node_2: SimLnChannelSide;
}

/** The parts of a SimLN simulation file this loader reads (`activity` and the rest are ignored). */
export interface SimLnNetwork {
  sim_network: SimLnChannel[];
}

/** What `fromJson` built: nodes under the pubkey the JSON used, and channels in order. */
export interface JsonTopology {
  /** JSON pubkey → node. Our nodes have their own seeded keys: the simulator must be able to sign. */
  byJsonPubkey: Map<string, SimNode>;
  nodes: SimNode[];
  channels: SimChannel[];
}

const bad = (path: string, what: string) => new LabError('invalid_topology', `${path} ${what}`);

function int(o: Record<string, unknown>, key: string, path: string, required: boolean): number | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw bad(`${path}.${key}`, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function side(raw: unknown, path: string): SimLnChannelSide {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(path, 'must be an object');
  const o = raw as Record<string, unknown>;
  if (typeof o.pubkey !== 'string' || o.pubkey.length === 0)
    throw bad(`${path}.pubkey`, 'must be a non-empty string');
  if (o.alias !== undefined && (typeof o.alias !== 'string' || o.alias.length === 0))
    throw bad(`${path}.alias`, 'must be a non-empty string');
  const s: SimLnChannelSide = { pubkey: o.pubkey, ...(typeof o.alias === 'string' && { alias: o.alias }) };
  for (const k of [
    'max_htlc_count',
    'max_in_flight_msat',
    'min_htlc_size_msat',
    'max_htlc_size_msat',
    'cltv_expiry_delta',
    'base_fee',
    'fee_rate_prop',
  ] as const) {
    const v = int(o, k, path, false);
    if (v !== undefined) s[k] = v;
  }
  return s;
}

/** Checks a SimLN-shaped description and returns it typed; errors name the bad field (`sim_network[2].node_1.base_fee`). */
export function parseSimLnNetwork(input: unknown): SimLnNetwork {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new LabError('invalid_topology', `topology is not valid JSON: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  if (typeof json !== 'object' || json === null) throw bad('topology', 'must be an object with sim_network');
  const list = (json as Record<string, unknown>).sim_network;
  if (!Array.isArray(list)) throw bad('sim_network', 'must be an array of channels');
  const seenScid = new Set<string>();
  const channels = list.map((raw, i): SimLnChannel => {
    const path = `sim_network[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw bad(path, 'must be an object');
    const o = raw as Record<string, unknown>;
    const capacity = int(o, 'capacity_msat', path, true)!;
    if (capacity === 0) throw bad(`${path}.capacity_msat`, 'must be positive');
    if (o.scid !== undefined) {
      if (typeof o.scid !== 'number' && typeof o.scid !== 'string')
        throw bad(`${path}.scid`, 'must be a number or string');
      if (seenScid.has(String(o.scid))) throw bad(`${path}.scid`, `repeats ${String(o.scid)}`);
      seenScid.add(String(o.scid));
    }
    const node_1 = side(o.node_1, `${path}.node_1`);
    const node_2 = side(o.node_2, `${path}.node_2`);
    if (node_1.pubkey === node_2.pubkey) throw bad(`${path}.node_2.pubkey`, 'is the same node as node_1');
    for (const [s, name] of [
      [node_1, 'node_1'],
      [node_2, 'node_2'],
    ] as const)
      if (s.max_htlc_size_msat !== undefined && simLnMinHtlc(s) > s.max_htlc_size_msat)
        throw s.min_htlc_size_msat === undefined
          ? bad(
              `${path}.${name}.max_htlc_size_msat`,
              `is below the default minimum HTLC ${DEFAULT_MIN_HTLC_MSAT}: set min_htlc_size_msat`,
            )
          : bad(`${path}.${name}.min_htlc_size_msat`, 'exceeds max_htlc_size_msat');
    return {
      ...(o.scid !== undefined && { scid: o.scid as number | string }),
      capacity_msat: capacity,
      node_1,
      node_2,
    };
  });
  return { sim_network: channels };
}

/** The least HTLC a side of a SimLN channel forwards: its `min_htlc_size_msat`, else the simnet's default. */
export function simLnMinHtlc(side: SimLnChannelSide): Msat {
  return side.min_htlc_size_msat ?? DEFAULT_MIN_HTLC_MSAT;
}

/** The least capacity a SimLN channel opens with (one minimum HTLC of either side), and the side whose minimum it is. */
export interface SimLnLeastCapacity {
  msat: Msat;
  side: 'node_1' | 'node_2';
  /** True when that side sets its `min_htlc_size_msat`; false when it is the simnet's default. */
  own: boolean;
}

/** The least capacity of channel `c`: the larger minimum HTLC of its sides (on a tie, one the file sets). */
export function simLnLeastCapacity(c: SimLnChannel): SimLnLeastCapacity {
  const [a, b] = [simLnMinHtlc(c.node_1), simLnMinHtlc(c.node_2)];
  const second = b > a || (b === a && c.node_1.min_htlc_size_msat === undefined);
  const side = second ? 'node_2' : 'node_1';
  return { msat: Math.max(a, b), side, own: c[side].min_htlc_size_msat !== undefined };
}

/** Whose minimum HTLC a least capacity is: `of node_1, its min_htlc_size_msat`, or the default one side gets. */
export function leastCapacityReason({ side, own }: SimLnLeastCapacity): string {
  return own
    ? `of ${side}, its min_htlc_size_msat`
    : `of ${side}, the default: it sets no min_htlc_size_msat`;
}

/** Refuses the first channel of `network` below its least capacity: it could not carry one HTLC. */
function checkCapacities(network: SimLnNetwork): void {
  network.sim_network.forEach((c, i) => {
    const least = simLnLeastCapacity(c);
    if (c.capacity_msat < least.msat)
      throw bad(
        `sim_network[${i}].capacity_msat`,
        `must be at least ${least.msat} msat (one minimum HTLC ${leastCapacityReason(least)}), got ${c.capacity_msat}`,
      );
  });
}

/** A side's forwarding policy as the file sets it (fields it leaves out get the simnet's defaults). */
function filePolicy(s: SimLnChannelSide): Partial<ChannelPolicy> {
  return {
    ...(s.base_fee !== undefined && { baseFeeMsat: s.base_fee }),
    ...(s.fee_rate_prop !== undefined && { feeRatePpm: s.fee_rate_prop }),
    ...(s.cltv_expiry_delta !== undefined && { cltvDelta: s.cltv_expiry_delta }),
    ...(s.min_htlc_size_msat !== undefined && { minHtlcMsat: s.min_htlc_size_msat }),
    ...(s.max_htlc_size_msat !== undefined && { maxHtlcMsat: s.max_htlc_size_msat }),
  };
}

/** The name a node of a SimLN file gets on the network: its alias, else the start of its pubkey. */
export function simLnAlias(side: SimLnChannelSide): string {
  return side.alias ?? side.pubkey.slice(0, 20);
}

/** The names of the nodes `fromJson` makes of `network`, one per pubkey, in the order it makes them. */
export function simLnNodeNames(network: SimLnNetwork): string[] {
  const byPubkey = new Map<string, string>();
  for (const c of network.sim_network)
    for (const s of [c.node_1, c.node_2]) if (!byPubkey.has(s.pubkey)) byPubkey.set(s.pubkey, simLnAlias(s));
  return [...byPubkey.values()];
}

/**
 * Builds the network a SimLN `sim_network` describes. Channels start
 * balanced (half the capacity each side), as in SimLN's simulated network,
 * unless `pushMsat` says what node_2 gets of each capacity;
 * each side's fees, CLTV delta and HTLC limits apply to what it forwards,
 * from the opening. A channel below its least capacity (`simLnLeastCapacity`)
 * is refused before anything is built.
 */
export function fromJson(
  net: SimNetwork,
  input: unknown,
  { pushMsat = (cap) => Math.floor(cap / 2) }: { pushMsat?: (capacityMsat: Msat) => Msat } = {},
): JsonTopology {
  const network = parseSimLnNetwork(input);
  checkCapacities(network);
  const byJsonPubkey = new Map<string, SimNode>();
  const nodes: SimNode[] = [];
  const nodeFor = (s: SimLnChannelSide) => {
    let n = byJsonPubkey.get(s.pubkey);
    if (!n) {
      n = net.addNode({ alias: simLnAlias(s) });
      byJsonPubkey.set(s.pubkey, n);
      nodes.push(n);
    }
    return n;
  };
  const channels = network.sim_network.map((c) => {
    const a = nodeFor(c.node_1);
    const b = nodeFor(c.node_2);
    // Opened with node_1's policy, so a channel below the default minimum HTLC opens at its own.
    const ch = net.openChannel(a, b, {
      capacityMsat: c.capacity_msat,
      pushMsat: pushMsat(c.capacity_msat),
      ...filePolicy(c.node_1),
    });
    net.setPolicy(ch, b, makePolicy(filePolicy(c.node_2), c.capacity_msat));
    for (const [s, n] of [
      [c.node_1, a],
      [c.node_2, b],
    ] as const)
      net.graph.setLimits(ch.id, ch.nodes[0] === n.index ? 0 : 1, {
        ...(s.max_in_flight_msat !== undefined && { maxInFlightMsat: s.max_in_flight_msat }),
        ...(s.max_htlc_count !== undefined && { maxAcceptedHtlcs: s.max_htlc_count }),
      });
    return ch;
  });
  return { byJsonPubkey, nodes, channels };
}
