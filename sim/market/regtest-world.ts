import { systemClock } from '../../infra/time/clock.js';
import { osSecrets, type Rng, type SecretSource } from '../../infra/random.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import { loadNetwork, type NetworkDesc, type NodeDesc } from '../../infra/regtest/network-file.js';
import type { LedgerRole } from '../metrics/conservation.js';
import { secretOrigin, type World } from './world.js';
import { LabError } from '../../infra/errors.js';
import { listen, type Listening } from '../../services/http/listen.js';

// Which roles of network.json can host which market role.
const HOSTS: Record<LedgerRole, string[]> = {
  buyer: ['buyer', 'other'],
  'sub-agent': ['buyer', 'other'],
  reseller: ['reseller', 'buyer', 'other'],
  seller: ['seller', 'other'],
  router: ['hub', 'router'],
};

/**
 * The real world: LND nodes on regtest (from network.json), services on
 * real sockets, the wall clock. Agents of one role share that role's nodes
 * in turn (a regtest network has a few nodes, a scenario may have many
 * agents); the ledger is kept per LND node. Channels are whatever the
 * bring-up opened: `fundingMsat` is not moved on a real network.
 */
export class RegtestWorld implements World {
  readonly backend = 'regtest' as const;
  readonly clock = systemClock;
  readonly acceptUnsignedInvoices = false;
  readonly secrets = secretOrigin(osSecrets);
  readonly fetch: typeof fetch = (input, init) => globalThis.fetch(input, init);
  readonly #servers: Listening[] = [];
  readonly #nodes = new Map<string, { role: LedgerRole; node: LndNode }>();
  readonly #turn = new Map<LedgerRole, number>();

  /** The OS CSPRNG: these sellers listen on real sockets, where anyone knowing the seed must learn nothing. */
  secretsFor(): SecretSource {
    return osSecrets;
  }

  private constructor(
    readonly rng: Rng,
    readonly desc: NetworkDesc,
  ) {}

  /** Loads network.json and connects to every node it lists. */
  static async open(networkFile: string, rng: Rng): Promise<RegtestWorld> {
    return RegtestWorld.fromDesc(await loadNetwork(networkFile), rng);
  }

  /** Connects to every node of an already loaded network description. */
  static async fromDesc(desc: NetworkDesc, rng: Rng): Promise<RegtestWorld> {
    const w = new RegtestWorld(rng, desc);
    for (const n of desc.nodes) {
      const role = ledgerRole(n);
      const node = await LndNode.fromFiles(n);
      w.#nodes.set(n.name, { role, node });
    }
    return w;
  }

  async serve(_host: string, handler: (req: Request) => Response | Promise<Response>): Promise<string> {
    const server = await listen(handler);
    this.#servers.push(server);
    return server.url;
  }

  async node(name: string, role: LedgerRole, _fundingMsat: number): Promise<LightningNode> {
    const candidates = this.desc.nodes.filter((n) => HOSTS[role].includes(n.role));
    if (candidates.length === 0)
      throw new LabError(
        'backend_unavailable',
        `network.json has no node that can act as a ${role} (roles ${HOSTS[role].join('/')}); needed by ${name}`,
      );
    const turn = this.#turn.get(role) ?? 0;
    this.#turn.set(role, turn + 1);
    return this.#nodes.get(candidates[turn % candidates.length]!.name)!.node;
  }

  ledgerNodes(): { name: string; role: LedgerRole; node: LightningNode }[] {
    return [...this.#nodes].map(([name, v]) => ({ name, role: v.role, node: v.node }));
  }

  totalMsat(): undefined {
    return undefined;
  }

  settlingReadBack(): Map<string, number> {
    return new Map();
  }

  setOnline(name: string): void {
    throw new LabError(
      'unsupported_fault',
      `taking ${name} offline is not supported on regtest (stop the node yourself)`,
    );
  }

  isOnline(): undefined {
    return undefined;
  }

  drain(name: string): Map<string, number> {
    throw new LabError('unsupported_fault', `draining ${name} is not supported on regtest`);
  }

  async close(): Promise<void> {
    await Promise.all(this.#servers.map((s) => s.close()));
    // Invoice feeds (onInvoice) hold streaming connections open until their node is closed.
    await Promise.all([...this.#nodes.values()].map((n) => n.node.close()));
  }
}

function ledgerRole(n: NodeDesc): LedgerRole {
  switch (n.role) {
    case 'seller':
      return 'seller';
    case 'buyer':
      return 'buyer';
    case 'reseller':
      return 'reseller';
    default:
      return 'router';
  }
}
