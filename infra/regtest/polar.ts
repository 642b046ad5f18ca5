import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { LndNode } from '../lightning/lnd/index.js';
import { lndFilesIn, POLAR_RPC, readComposeLayout } from './docker.js';
import { saveNetwork, type NetworkDesc, type NodeDesc, type NodeRole } from './network-file.js';

export interface PolarAttachOptions {
  /** A Polar network folder (`~/.polar/networks/<id>`), or just its numeric id. */
  network: string;
  outPath: string;
  clock: Clock;
  logger?: Logger;
  /** Roles by node name; unnamed nodes get a role guessed from their name (hub/seller/buyer) or `other`. */
  roles?: Record<string, NodeRole>;
}

/** A Polar folder we cannot use; the message says what is missing. */
export class PolarAttachError extends Error {
  override readonly name = 'PolarAttachError';
  readonly code = 'polar_attach_failed';
}

/** `~/.polar/networks/<id>` for a bare id, otherwise the path as given. */
export function polarNetworkDir(network: string): string {
  return /^\d+$/.test(network) ? join(homedir(), '.polar', 'networks', network) : resolve(network);
}

/** A role from a node's name: Polar users often call nodes alice/bob, which stay `other`. */
export function guessRole(name: string): NodeRole {
  for (const role of ['hub', 'seller', 'buyer', 'router', 'reseller'] as const)
    if (name.includes(role)) return role;
  return 'other';
}

/**
 * Describes a running Polar network: reads the docker-compose.yml Polar
 * wrote in the network folder (LND services and their published REST/p2p
 * ports, bitcoind's RPC port), finds each node's tls.cert and admin.macaroon
 * under `volumes/lnd/<name>/`, asks each node for its pubkey, and writes
 * network.json. Polar's LND nodes must be started (in Polar) first.
 */
export async function attachPolar(opts: PolarAttachOptions): Promise<NetworkDesc> {
  const dir = polarNetworkDir(opts.network);
  const log = opts.logger ?? silentLogger;
  let text: string;
  try {
    text = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
  } catch (cause) {
    throw new PolarAttachError(
      `no docker-compose.yml in ${dir}: pass a Polar network folder (~/.polar/networks/<id>) or its id`,
      { cause },
    );
  }
  let layout;
  try {
    layout = readComposeLayout(text, dir);
  } catch (cause) {
    throw new PolarAttachError(`${join(dir, 'docker-compose.yml')}: ${(cause as Error).message}`, { cause });
  }
  if (layout.lnd.length === 0) throw new PolarAttachError(`${dir} has no LND nodes (only LND is supported)`);
  const nodes: NodeDesc[] = [];
  for (const l of layout.lnd) {
    const files = { restUrl: `https://127.0.0.1:${l.restPort}`, ...lndFilesIn(l.lnddir) };
    let pubkey: string;
    const node = await LndNode.fromFiles(files, {
      clock: opts.clock,
      logger: log,
      retry: { maxWaitMs: 5_000 },
    }).catch((cause: unknown) => {
      throw new PolarAttachError(
        `node ${l.name}: ${(cause as Error).message} (is the Polar network started?)`,
        {
          cause,
        },
      );
    });
    try {
      pubkey = (await node.info()).pubkey;
    } catch (cause) {
      throw new PolarAttachError(`node ${l.name} at ${files.restUrl}: ${(cause as Error).message}`, {
        cause,
      });
    } finally {
      await node.close();
    }
    nodes.push({
      name: l.name,
      role: opts.roles?.[l.name] ?? guessRole(l.name),
      ...files,
      pubkey,
      p2p: `127.0.0.1:${l.p2pPort}`,
    });
    log.info({ name: l.name, pubkey }, 'attached');
  }
  const desc: NetworkDesc = {
    version: 1,
    kind: 'polar',
    network: 'regtest',
    createdAt: new Date(opts.clock.now()).toISOString(),
    nodes,
    bitcoin: {
      backend: 'bitcoind',
      rpcUrl: `http://127.0.0.1:${layout.bitcoindRpcPort}`,
      rpcUser: POLAR_RPC.user,
      rpcPass: POLAR_RPC.pass,
      // bitcoind mines to any address: the faucet works on Polar too.
      faucetSeed: 'polar',
    },
    channels: [],
  };
  await saveNetwork(opts.outPath, desc);
  return desc;
}
