import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { insecureSeededSecrets, type Rng, type SecretSource } from '../../infra/random.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import {
  parseSimLnNetwork,
  SimNetwork,
  type LatencyModel,
  type SimLnNetwork,
  type SimNetworkOptions,
  type SimNode,
} from '../../infra/lightning/simnet/index.js';
import type { LedgerRole } from '../metrics/conservation.js';
import type { LatencySpec, NetworkSpec } from '../scenario/schema.js';
import { drawLatency } from '../engine/draws.js';
import { InMemoryHttp } from './http.js';
import { buildTopology, type Topology } from './topology.js';
import { secretOrigin, type SecretOrigin, type World } from './world.js';
import { LabError } from '../../infra/errors.js';
import { readNetworkFileText } from '../scenario/network-file.js';

/** The scenario's per-hop latency as the simnet's latency model (normal, clipped at 0, whole ms). */
export function latencyModel(spec: LatencySpec): LatencyModel {
  return {
    hopMs: (rng) => drawLatency(spec, rng),
    description: typeof spec === 'number' ? `fixed ${spec} ms` : `normal ${spec.meanMs}±${spec.sdMs} ms`,
  };
}

/** The scenario's payment settings as network options (only those it sets: the rest keep the network's defaults). */
function paymentOptions(spec: NetworkSpec): Partial<SimNetworkOptions> {
  const p = spec.payments;
  if (!p) return {};
  return {
    ...(p.maxParts !== undefined && {
      multipart: { maxParts: p.maxParts, minShardMsat: p.minShardMsat ?? DEFAULT_MIN_SHARD_MSAT },
    }),
    ...(p.hopFailureProbability !== undefined && { hopFailureProbability: p.hopFailureProbability }),
    ...(p.maxAttempts !== undefined && { maxAttempts: p.maxAttempts }),
  };
}

/** Smallest shard when a scenario sets maxParts alone: 10k sat. */
const DEFAULT_MIN_SHARD_MSAT = 10_000_000;

/**
 * Reads a SimLN `sim_network` JSON file (path relative to the working directory), with the checked
 * read validation uses (a regular file within the size limit, sim/scenario/network-file.ts).
 */
function readSimLnFile(path: string): SimLnNetwork {
  const text = readNetworkFileText(path);
  try {
    return parseSimLnNetwork(text);
  } catch (e) {
    throw new LabError(
      'bad_network_file',
      `network.file ${path}: the embedded network reads SimLN sim_network JSON; ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/**
 * The embedded world: a SimNetwork on a VirtualClock, in-memory HTTP, and
 * the scenario's topology. Runs are reproducible from the seed.
 */
export class EmbeddedWorld implements World {
  readonly backend = 'embedded' as const;
  readonly clock: VirtualClock;
  readonly rng: Rng;
  readonly net: SimNetwork;
  /** True when the scenario asks for unsigned invoices (network.invoices: unsigned). */
  readonly acceptUnsignedInvoices: boolean;
  /** `seeded`: its nodes' keys and every agent's secrets come from the run's seed (never facing a real socket: its HTTP is in memory). */
  readonly secrets: SecretOrigin;
  readonly #http = new InMemoryHttp();
  readonly #topology: Topology;
  readonly #nodes = new Map<string, { role: LedgerRole; node: SimNode }>();

  /** Seeded: simulated runs repeat from the seed, keys included (never facing real buyers). */
  secretsFor(rng: Rng): SecretSource {
    return insecureSeededSecrets(rng);
  }

  constructor(
    spec: NetworkSpec,
    rng: Rng,
    // A live view passes a clock paced to wall time; everything else runs as fast as it computes.
    {
      signInvoices = spec.invoices !== 'unsigned',
      clock = new VirtualClock(),
    }: { signInvoices?: boolean; clock?: VirtualClock } = {},
  ) {
    this.clock = clock;
    this.acceptUnsignedInvoices = !signInvoices;
    this.rng = rng;
    // Simulated runs repeat from the seed, node keys included; meta.json says so (`secrets`).
    const nodeSecrets = insecureSeededSecrets(rng.fork('simnet'));
    this.secrets = secretOrigin(nodeSecrets);
    this.net = new SimNetwork({
      clock: this.clock,
      rng: rng.fork('simnet'),
      secrets: nodeSecrets,
      latency: latencyModel(spec.hopLatency),
      signInvoices,
      // Settled invoices go once expired (a bounded archive of 100,000 still answers lookups): memory per expiry window, not per payment.
      forgetSettledInvoices: true,
      ...paymentOptions(spec),
    });
    const file = spec.file === undefined ? undefined : readSimLnFile(spec.file);
    this.#topology = buildTopology(this.net, spec, rng.fork('topology'), file);
    for (const r of this.#topology.routers) this.#nodes.set(r.alias, { role: 'router', node: r });
    this.#sellerChannelMsat = spec.sellerChannelMsat;
  }

  readonly #sellerChannelMsat: number;

  get fetch(): typeof fetch {
    return this.#http.fetch;
  }

  async serve(host: string, handler: (req: Request) => Response | Promise<Response>): Promise<string> {
    return this.#http.serve(host, handler);
  }

  async node(name: string, role: LedgerRole, fundingMsat: number): Promise<LightningNode> {
    const node = this.net.addNode({ alias: name });
    this.#nodes.set(name, { role, node });
    if (role === 'seller') {
      // Sellers receive: inbound room from their router; those that also buy upstream get outbound too.
      this.#topology.attachPayee(node, this.#sellerChannelMsat);
      if (fundingMsat > 0) this.#topology.attachPayer(node, fundingMsat);
    } else {
      this.#topology.attachPayer(node, fundingMsat);
      // Resellers sell as well as buy: they need inbound room for their customers' payments.
      if (role === 'reseller') this.#topology.attachPayee(node, this.#sellerChannelMsat);
    }
    return node;
  }

  ledgerNodes(): { name: string; role: LedgerRole; node: LightningNode }[] {
    return [...this.#nodes].map(([name, v]) => ({ name, role: v.role, node: v.node }));
  }

  totalMsat(): number {
    return this.net.totalMsat();
  }

  settlingReadBack(): Map<string, number> {
    const byIndex = this.net.settling.readBack();
    const out = new Map<string, number>();
    if (byIndex.size === 0) return out;
    for (const [name, { node }] of this.#nodes) {
      const msat = byIndex.get(node.index);
      if (msat) out.set(name, msat);
    }
    return out;
  }

  setOnline(name: string, online: boolean): void {
    this.net.setOnline(this.#simNode(name), online);
  }

  isOnline(name: string): boolean {
    return this.net.isOnline(this.#simNode(name));
  }

  drain(name: string, fraction: number): Map<string, number> {
    const node = this.#simNode(name);
    const moved = new Map<string, number>();
    const add = (who: string, msat: number) => moved.set(who, (moved.get(who) ?? 0) + msat);
    const me = node.index;
    for (const ch of this.net.graph.channels) {
      if (ch.nodes[0] !== me && ch.nodes[1] !== me) continue;
      const side: 0 | 1 = ch.nodes[0] === me ? 0 : 1;
      const before = ch.balance[side];
      const leave = before - Math.floor(before * fraction);
      this.net.drainChannel(ch, node, leave);
      const delta = before - ch.balance[side];
      const other = this.net.nodes[ch.nodes[side === 0 ? 1 : 0]]!;
      add(name, -delta);
      add(other.alias, delta);
    }
    return moved;
  }

  async close(): Promise<void> {}

  #simNode(name: string): SimNode {
    const entry = this.#nodes.get(name);
    if (!entry) throw new LabError('unknown_node', `no node named "${name}" in the embedded network`);
    return entry.node;
  }
}
