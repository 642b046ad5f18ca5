import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { POLAR_RPC } from './docker.js';
import {
  saveNetwork,
  type BitcoinDesc,
  type NetworkDesc,
  type NodeDesc,
  type NodeRole,
} from './network-file.js';
import { findPolarNetwork, polarHomes, type PolarNetwork } from './polar-networks.js';
import type { PolarNode } from './polar-node.js';
import { probeNodes } from './polar-probe.js';
import { LabError } from '../errors.js';

export interface PolarAttachOptions {
  /** A Polar network's id, its name, or its folder (`<Polar data folder>/networks/<id>`). */
  network: string;
  /** Polar data folders to search (default `~/.local/share/polar`, then `~/.polar`). */
  homes?: string[];
  outPath: string;
  clock: Clock;
  logger?: Logger;
  /** Roles by node name; unnamed nodes get a role guessed from their name (hub/seller/buyer) or `other`. */
  roles?: Record<string, NodeRole>;
  /** Attach the LND nodes that answer and leave stopped ones out (each named in a warning). */
  runningOnly?: boolean;
  /** How long a node that does not answer is retried before it counts as stopped (default 3 s). */
  probeMs?: number;
}

export interface PolarAttachResult {
  net: NetworkDesc;
  /** Every node left out and why, and anything else the user should know, one sentence each. */
  warnings: string[];
}

/** A role from a node's name: Polar users often call nodes alice/bob, which stay `other`. */
export function guessRole(name: string): NodeRole {
  for (const role of ['hub', 'seller', 'buyer', 'router', 'reseller'] as const)
    if (name.includes(role)) return role;
  return 'other';
}

const lndLike = (n: PolarNode): boolean => n.kind === 'LND' || n.kind === 'litd';

/**
 * Describes a Polar network as network.json. Reads Polar's networks.json
 * (node kinds, ports, paths, status; the folder's docker-compose.yml when no
 * networks.json describes it), attaches every LND and litd node that
 * answers, and says by name which nodes it left out and why. A stopped
 * network or node is reported as stopped; `runningOnly` attaches the rest.
 */
export async function attachPolar(opts: PolarAttachOptions): Promise<PolarAttachResult> {
  const log = opts.logger ?? silentLogger;
  const found = await findPolarNetwork(opts.network, opts.homes ?? polarHomes()).catch((err: Error) => {
    throw new LabError('polar_attach_failed', err.message, { cause: err });
  });
  const label = `Polar network ${found.id ?? ''} "${found.name}"`.replace('  ', ' ');
  const warnings = [...found.notes];
  checkRoles(found, opts.roles ?? {}, label);

  const usable = usableNodes(found, label, warnings);
  const { probes, stopped } = await probeNodes(usable, opts, label, found.status === 'stopped');
  for (const n of stopped) {
    if (opts.roles?.[n.name])
      throw new LabError(
        'polar_attach_failed',
        `--role ${n.name}=${opts.roles[n.name]} names a stopped node; start it in Polar`,
      );
    warnings.push(`left out ${n.name} (${kindText(n)}): stopped`);
  }

  const nodes = usable.flatMap((n, i) => {
    const p = probes[i]!;
    return p.ok ? [polarNodeDesc(n, p.pubkey, opts.roles?.[n.name] ?? guessRole(n.name))] : [];
  });
  const bitcoin = bitcoinOf(found, usable, warnings);
  const net: NetworkDesc = {
    version: 1,
    kind: 'polar',
    network: 'regtest',
    createdAt: new Date(opts.clock.now()).toISOString(),
    nodes,
    ...(bitcoin ? { bitcoin } : {}),
    channels: [],
  };
  await saveNetwork(opts.outPath, net);
  for (const w of warnings) log.warn(w);
  return { net, warnings };
}

/** The LND and litd nodes with a REST port and credential paths; every other node is named in a warning. */
function usableNodes(found: PolarNetwork, label: string, warnings: string[]): PolarNode[] {
  const usable: PolarNode[] = [];
  for (const n of found.nodes) {
    if (n.kind === 'bitcoind') continue;
    if (!lndLike(n))
      warnings.push(`left out ${n.name} (${kindText(n)}): only LND and litd nodes are attached`);
    else if (!n.restPort || !n.tlsCertPath || !n.macaroonPath)
      warnings.push(`left out ${n.name} (${kindText(n)}): no REST port or TLS/macaroon paths recorded`);
    else usable.push(n);
  }
  if (usable.length === 0) {
    throw new LabError(
      'polar_attach_failed',
      `${label} has no LND or litd node to attach (it has ${found.nodes.map((n) => `${n.name}: ${kindText(n)}`).join(', ')})`,
    );
  }
  return usable;
}

/** network.json's entry for an attached Polar node. */
function polarNodeDesc(n: PolarNode, pubkey: string, role: NodeRole): NodeDesc {
  return {
    name: n.name,
    role,
    restUrl: `https://127.0.0.1:${n.restPort}`,
    tlsCertPath: n.tlsCertPath!,
    macaroonPath: n.macaroonPath!,
    pubkey,
    p2p: `127.0.0.1:${n.p2pPort ?? 9735}`,
    ...(n.grpcPort ? { grpc: `127.0.0.1:${n.grpcPort}` } : {}),
  };
}

function kindText(n: PolarNode): string {
  return `${n.kind === 'other' ? 'unknown kind' : n.kind}${n.image ? `, image ${n.image}` : ''}`;
}

/** `--role` may only name an LND or litd node of the network. */
function checkRoles(found: PolarNetwork, roles: Record<string, NodeRole>, label: string): void {
  for (const [name, role] of Object.entries(roles)) {
    const node = found.nodes.find((n) => n.name === name);
    if (!node) {
      throw new LabError(
        'polar_attach_failed',
        `--role ${name}=${role}: ${label} has no node named ${name}; it has ${found.nodes.map((n) => n.name).join(', ')}`,
      );
    }
    if (!lndLike(node)) {
      throw new LabError(
        'polar_attach_failed',
        `--role ${name}=${role}: ${name} is a ${kindText(node)} node; roles go to LND or litd nodes only`,
      );
    }
  }
}

/** The bitcoind the attached nodes use, or a warning saying why there is none. */
function bitcoinOf(found: PolarNetwork, usable: PolarNode[], warnings: string[]): BitcoinDesc | undefined {
  const backends = found.nodes.filter((n) => n.kind === 'bitcoind');
  const wanted = usable[0]?.backendName;
  const b = backends.find((x) => x.name === wanted) ?? backends[0];
  if (!b || !b.rpcPort) {
    warnings.push(
      b
        ? `bitcoind ${b.name} publishes no RPC port: network.json has no bitcoin section (mining and the faucet are unavailable)`
        : 'no bitcoind node: network.json has no bitcoin section (mining and the faucet are unavailable)',
    );
    return undefined;
  }
  if (b.status === 'stopped')
    warnings.push(`bitcoind ${b.name} is stopped in Polar: mining will fail until it runs`);
  return {
    backend: 'bitcoind',
    rpcUrl: `http://127.0.0.1:${b.rpcPort}`,
    rpcUser: POLAR_RPC.user,
    rpcPass: POLAR_RPC.pass,
    // bitcoind mines to any address: the faucet works on Polar too.
    faucetSeed: 'polar',
  };
}
