import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { bootstrap, prepareChain } from './bootstrap.js';
import { Chain } from './chain.js';
import { Faucet } from './faucet.js';
import { waitForLnd } from './lnd-admin.js';
import { saveNetwork, type NetworkDesc, type NodeDesc } from './network-file.js';
import { readState, teardown, writeState } from './state.js';
import { defaultTopology, type Topology } from './topology.js';

const run = promisify(execFile);

/** Polar's regtest RPC credentials, which our docker-compose.yml uses too. */
export const POLAR_RPC = { user: 'polaruser', pass: 'polarpass' } as const;
/** Compose project name (also set in docker-compose.yml). */
const PROJECT = 'l402-lab';

/** True when a Docker engine answers (`docker info`), not just a docker client. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** One LND service of a compose file, with the host ports it publishes. */
export interface ComposeLnd {
  name: string;
  image: string;
  restPort: number;
  p2pPort: number;
  /** Host directory mounted as the node's ~/.lnd. */
  lnddir: string;
}

/** The services of a compose file that matter to us: bitcoind's RPC port and every LND node. */
export interface ComposeLayout {
  bitcoindRpcPort: number;
  lnd: ComposeLnd[];
}

/**
 * Reads a compose file (ours or Polar's): LND services are those whose image
 * is an lnd image; ports come from `ports` entries mapping to 8080 (REST),
 * 9735 (p2p) and 18443 (bitcoind RPC). Relative volume paths resolve against
 * the compose file's directory.
 */
export function readComposeLayout(yamlText: string, composeDir: string): ComposeLayout {
  const doc = parseYaml(yamlText) as {
    services?: Record<string, { image?: string; ports?: unknown[]; volumes?: unknown[] }>;
  };
  const services = Object.entries(doc?.services ?? {});
  if (services.length === 0) throw new Error('compose file has no services');
  const hostPort = (ports: unknown[] | undefined, container: number): number | undefined => {
    for (const p of ports ?? []) {
      const parts = String(p).split(':');
      if (Number(parts.at(-1)) === container && parts.length >= 2) return Number(parts.at(-2));
    }
    return undefined;
  };
  let bitcoindRpcPort: number | undefined;
  const lnd: ComposeLnd[] = [];
  for (const [name, svc] of services) {
    const image = svc.image ?? '';
    if (/bitcoind/.test(image)) bitcoindRpcPort ??= hostPort(svc.ports, 18443);
    if (!/(^|\/)lnd:/.test(image)) continue;
    const restPort = hostPort(svc.ports, 8080);
    const p2pPort = hostPort(svc.ports, 9735);
    const mount = (svc.volumes ?? []).map(String).find((v) => /:\/home\/lnd\/\.lnd$/.test(v));
    if (!restPort || !p2pPort || !mount) {
      throw new Error(
        `compose service ${name}: needs ports for 8080 and 9735 and a volume on /home/lnd/.lnd`,
      );
    }
    lnd.push({
      name,
      image,
      restPort,
      p2pPort,
      lnddir: resolve(composeDir, mount.slice(0, mount.lastIndexOf(':'))),
    });
  }
  if (!bitcoindRpcPort) throw new Error('compose file has no bitcoind service publishing port 18443');
  return { bitcoindRpcPort, lnd };
}

/** Paths of an LND node's certificate and admin macaroon inside its lnddir (regtest). */
export function lndFilesIn(lnddir: string): { tlsCertPath: string; macaroonPath: string } {
  return {
    tlsCertPath: join(lnddir, 'tls.cert'),
    macaroonPath: join(lnddir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon'),
  };
}

export interface DockerUpOptions {
  composeFile: string;
  stateDir: string;
  outPath: string;
  clock: Clock;
  logger: Logger;
  topology?: Topology;
}

/**
 * Brings the docker-compose network up and runs the same bootstrap as the
 * native driver (nodes dial each other by service name inside the compose
 * network). The compose file fixes the nodes, so the topology must name the
 * same ones (the default does).
 */
export async function upDocker(opts: DockerUpOptions): Promise<NetworkDesc> {
  const { clock, logger: log } = opts;
  const topology = opts.topology ?? defaultTopology;
  const composeFile = resolve(opts.composeFile);
  const layout = readComposeLayout(await readFile(composeFile, 'utf8'), dirname(composeFile));
  const missing = topology.nodes.filter((n) => !layout.lnd.some((l) => l.name === n.name));
  if (missing.length)
    throw new Error(`${composeFile} has no service for ${missing.map((n) => n.name).join(', ')}`);
  // Create the volume directories ourselves, or Docker makes them root-owned.
  for (const l of layout.lnd) await mkdir(l.lnddir, { recursive: true });
  await mkdir(join(dirname(composeFile), '.regtest', 'docker', 'bitcoind'), { recursive: true });
  await writeState(opts.stateDir, {
    version: 1,
    kind: 'docker',
    networkPath: resolve(opts.outPath),
    processes: [],
    compose: { file: composeFile, project: PROJECT },
  });
  const env = {
    ...process.env,
    USERID: String(process.getuid?.() ?? 1000),
    GROUPID: String(process.getgid?.() ?? 1000),
  };
  log.info({ composeFile }, 'docker compose up');
  await run('docker', ['compose', '-f', composeFile, '-p', PROJECT, 'up', '-d'], {
    env,
    maxBuffer: 16 << 20,
  });
  const faucetSeed = 'docker';
  const faucet = new Faucet(faucetSeed);
  const rpcUrl = `http://127.0.0.1:${layout.bitcoindRpcPort}`;
  const chain = new Chain({ backend: 'bitcoind', url: rpcUrl, ...POLAR_RPC }, faucet.address);
  try {
    await chain.waitReady(clock, 120_000);
    await prepareChain(chain, log);
    const nodes = topology.nodes.map((n) => {
      const l = layout.lnd.find((x) => x.name === n.name)!;
      return { ...n, l, files: { restUrl: `https://127.0.0.1:${l.restPort}`, ...lndFilesIn(l.lnddir) } };
    });
    await chain.mine(1);
    await Promise.all(nodes.map((n) => waitForLnd(n.files, { clock, timeoutMs: 180_000 })));
    const boot = await bootstrap(
      topology,
      nodes.map((n) => ({ name: n.name, role: n.role, files: n.files, peerHost: `${n.name}:9735` })),
      { clock, logger: log, chain, faucet },
    );
    const desc: NetworkDesc = {
      version: 1,
      kind: 'docker',
      network: 'regtest',
      createdAt: new Date(clock.now()).toISOString(),
      nodes: nodes.map((n): NodeDesc => ({
        name: n.name,
        role: n.role,
        ...n.files,
        pubkey: boot.pubkeys.get(n.name)!,
        p2p: `127.0.0.1:${n.l.p2pPort}`,
      })),
      bitcoin: { backend: 'bitcoind', rpcUrl, rpcUser: POLAR_RPC.user, rpcPass: POLAR_RPC.pass, faucetSeed },
      channels: boot.channels,
      stateDir: resolve(opts.stateDir),
    };
    await saveNetwork(opts.outPath, desc);
    return desc;
  } finally {
    await chain.close();
  }
}

/** `docker compose down -v` for a network `upDocker` started, then removes its data and files. */
export async function downDocker(stateDir: string, deps: { clock: Clock; logger: Logger }): Promise<void> {
  const state = await readState(stateDir);
  if (!state?.compose) return;
  const { file, project } = state.compose;
  deps.logger.info({ file }, 'docker compose down');
  await run('docker', ['compose', '-f', file, '-p', project, 'down', '-v'], { maxBuffer: 16 << 20 });
  await rm(join(dirname(file), '.regtest', 'docker'), { recursive: true, force: true });
  await teardown(stateDir, deps);
}
