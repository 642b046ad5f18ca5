import type { Clock } from '../../infra/time/clock.js';
import type { Rng, SecretSource } from '../../infra/random.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { LedgerRole } from '../metrics/conservation.js';

/**
 * Everything the market builder needs from the world it runs in: a clock,
 * HTTP, and Lightning nodes. The embedded world (simnet, in-memory HTTP,
 * virtual time) and the regtest world (LND, sockets, wall clock) implement
 * the same interface, so switching is one argument.
 */
export interface World {
  readonly backend: 'embedded' | 'regtest';
  readonly clock: Clock;
  /** The run's root random stream; entities fork their own from it. */
  readonly rng: Rng;
  /**
   * Where an agent's secrets (macaroon root keys, hold-invoice preimages)
   * come from: seeded from `rng` in the embedded world, so a run repeats
   * exactly; the OS CSPRNG on real LND, whose sellers listen on real sockets
   * (and whose own keys and wall clock make a run unrepeatable anyway).
   */
  secretsFor(rng: Rng): SecretSource;
  /**
   * Where the secrets this world hands out (`secretsFor`) and its own nodes use come from, as
   * meta.json and the report name it: `seeded` (from the run's seed) or `os` (the OS CSPRNG).
   */
  readonly secrets: SecretOrigin;
  /** Serves a Hono app (its `fetch`) at a host name; returns its base URL. */
  serve(host: string, handler: (req: Request) => Response | Promise<Response>): Promise<string>;
  /** The `fetch` agents use to reach services. */
  readonly fetch: typeof fetch;
  /**
   * The Lightning node of an agent, connected to the network: payers get
   * `fundingMsat` of outbound liquidity, payees as much inbound room.
   */
  node(name: string, role: LedgerRole, fundingMsat: number): Promise<LightningNode>;
  /** Names and roles of every node whose balance the ledger tracks (routers included). */
  ledgerNodes(): { name: string; role: LedgerRole; node: LightningNode }[];
  /** The network's total (channels plus HTLCs in flight); undefined when it cannot be known (real networks). */
  totalMsat(): number | undefined;
  /**
   * Msat to add to each ledger node's holdings (by name) to read the payments settling back along their
   * routes right now as still in flight (infra/lightning/simnet/settling-routes.ts); empty on real networks,
   * whose ledger is read once no HTLC is in flight.
   */
  settlingReadBack(): Map<string, number>;
  /** Whether invoices of this world are unsigned (the embedded world with network.invoices: unsigned; never on LND). */
  readonly acceptUnsignedInvoices: boolean;
  /** Fault injection: take a node off the network or bring it back. */
  setOnline(name: string, online: boolean): void;
  /** Whether a node is on the network; undefined when the world cannot tell (real networks). */
  isOnline(name: string): boolean | undefined;
  /**
   * Fault injection: move `fraction` of a node's outbound liquidity to the
   * far side of its channels. Returns the msat moved per node (the ledger
   * excludes these transfers: they are not purchases).
   */
  drain(name: string, fraction: number): Map<string, number>;
  /** Stops servers and closes connections (regtest); nothing to do in memory. */
  close(): Promise<void>;
}

/**
 * `seeded`: drawn from the run's seed (`insecureSeededSecrets`), so whoever knows the seed can
 * recompute every macaroon root key, preimage and node key of the run; `os`: the OS CSPRNG.
 */
export type SecretOrigin = 'seeded' | 'os';

/** The origin a run's outputs name for `source`, read from the source itself. */
export function secretOrigin(source: SecretSource): SecretOrigin {
  return source.insecure ? 'seeded' : 'os';
}

/** Why a world cannot be built, or a fault names something it does not have. */
export type WorldErrorCode =
  'unknown_node' | 'backend_unavailable' | 'bad_network_file' | 'unsupported_fault';
