import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { bootstrap, prepareChain } from './bootstrap.js';
import { Chain } from './chain.js';
import { readComposeLayout, type ComposeLayout } from './compose-layout.js';
import { composeAvailable } from './engine.js';
import { Faucet } from './faucet.js';
import { waitForLnd } from './lnd-admin.js';
import { waitForChannelsActive } from './native.js';
import { saveNetwork, type BitcoinDesc, type NetworkDesc, type NodeDesc } from './network-file.js';
import { readState, teardown, writeState, type NetworkState } from './state.js';
import { defaultTopology, type Topology } from './topology.js';

const run = promisify(execFile);

/** Polar's regtest RPC credentials, which our compose files use too. */
export const POLAR_RPC = { user: 'polaruser', pass: 'polarpass' } as const;
/** Default compose project name (also set in docker-compose.yml). */
export const PROJECT = 'l402-lab';

/** Where a compose network is defined: its files, project name and the folder relative paths resolve in. */
export interface ComposeProject {
  files: string[];
  project: string;
  projectDir: string;
}

export interface DockerUpOptions {
  /** docker-compose.yml, plus docker-compose.local.yml for the locally built images. */
  composeFiles: string[];
  /** Folder the compose files' relative volume paths resolve in (default: the first file's). */
  projectDir?: string;
  project?: string;
  stateDir: string;
  outPath: string;
  clock: Clock;
  logger: Logger;
  topology?: Topology;
  /** Faucet key seed (regtest coins only). */
  faucetSeed?: string;
}

/** `docker compose` with the project's files, name and folder, and the variables the files use. */
async function compose(p: ComposeProject, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const base = [
    'compose',
    ...p.files.flatMap((f) => ['-f', f]),
    '-p',
    p.project,
    '--project-directory',
    p.projectDir,
  ];
  try {
    const { stdout } = await run('docker', [...base, ...args], {
      env: {
        ...process.env,
        USERID: String(process.getuid?.() ?? 1000),
        GROUPID: String(process.getgid?.() ?? 1000),
        // Only `up` needs the real address; other commands parse the files too.
        L402_MINING_ADDRESS: process.env.L402_MINING_ADDRESS ?? 'unused',
        ...env,
      },
      maxBuffer: 64 << 20,
      timeout: 15 * 60_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`docker compose ${args[0]} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/** The project as `docker compose config` resolves it (overrides merged, profiles applied, paths absolute). */
export async function composeLayout(p: ComposeProject): Promise<ComposeLayout> {
  return readComposeLayout(JSON.parse(await compose(p, ['config', '--format', 'json'])), p.projectDir);
}

/**
 * Brings a compose network up (`docker compose up --wait`: every health
 * check passing), runs the same bootstrap as the native driver (nodes dial
 * each other by service name inside the compose network) and writes
 * network.json. The compose files fix the nodes, so the topology must name
 * the same ones (the default does). Any failure takes the project down.
 */
export async function upDocker(opts: DockerUpOptions): Promise<NetworkDesc> {
  const { clock, logger: log } = opts;
  if ((await readState(opts.stateDir))?.compose)
    throw new Error(`a network is already running from ${opts.stateDir}; run \`npm run network:down\` first`);
  if (!(await composeAvailable()))
    throw new Error(
      '`docker compose` (v2) is not available: install it, or run `npm run network:up -- --docker --prepare`',
    );
  const topology = opts.topology ?? defaultTopology;
  const files = opts.composeFiles.map((f) => resolve(f));
  const p: ComposeProject = {
    files,
    project: opts.project ?? PROJECT,
    projectDir: resolve(opts.projectDir ?? dirname(files[0]!)),
  };
  const layout = await composeLayout(p);
  const missing = topology.nodes.filter((n) => !layout.lnd.some((l) => l.name === n.name));
  if (missing.length)
    throw new Error(`${files.join(' + ')} has no service for ${missing.map((n) => n.name).join(', ')}`);
  // Create the bind-mounted folders ourselves, or Docker makes them root-owned.
  for (const dir of [...layout.lnd.map((l) => l.lnddir), layout.chain.dataDir])
    await mkdir(dir, { recursive: true });
  if (layout.chain.backend === 'btcd') await writeFile(join(layout.chain.dataDir, 'btcd.conf'), '');
  await writeState(opts.stateDir, {
    version: 1,
    kind: 'docker',
    networkPath: resolve(opts.outPath),
    processes: [],
    compose: { ...p, dataDirs: [...layout.lnd.map((l) => l.lnddir), layout.chain.dataDir] },
  });
  const faucetSeed = opts.faucetSeed ?? 'docker';
  const faucet = new Faucet(faucetSeed);
  let chain: Chain | undefined;
  try {
    // lnd only gets ready on a chain with a recent tip: start the chain backend, mine, then the nodes.
    await composeUp(p, faucet.address, log, [layout.chain.name]);
    const bitcoin = await bitcoinDesc(layout, faucetSeed);
    chain = new Chain(
      {
        backend: bitcoin.backend,
        url: bitcoin.rpcUrl,
        user: bitcoin.rpcUser,
        pass: bitcoin.rpcPass,
        ...(bitcoin.rpcCertPath ? { tlsCert: await readFile(bitcoin.rpcCertPath, 'utf8') } : {}),
      },
      faucet.address,
    );
    await chain.waitReady(clock, 120_000);
    await prepareChain(chain, log);
    await chain.mine(1);
    await composeUp(p, faucet.address, log);
    const nodes = topology.nodes.map((n) => {
      const l = layout.lnd.find((x) => x.name === n.name)!;
      return { ...n, l, files: { restUrl: `https://127.0.0.1:${l.restPort}`, ...lndFilesIn(l.lnddir) } };
    });
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
        ...(n.l.grpcPort ? { grpc: `127.0.0.1:${n.l.grpcPort}` } : {}),
      })),
      bitcoin,
      channels: boot.channels,
      stateDir: resolve(opts.stateDir),
    };
    await saveNetwork(opts.outPath, desc);
    return desc;
  } catch (err) {
    log.error({ err: String(err) }, 'bring-up failed; taking the compose project down');
    await downDocker(opts.stateDir, { clock, logger: log });
    throw err;
  } finally {
    await chain?.close();
  }
}

/** `docker compose up --wait` (every health check passing); on failure, the last log lines of every service. */
async function composeUp(
  p: ComposeProject,
  miningAddress: string,
  log: Logger,
  services: string[] = [],
): Promise<void> {
  log.info({ files: p.files, project: p.project, services }, 'docker compose up --wait');
  const args = ['up', '-d', '--wait', '--wait-timeout', '300', ...services];
  await compose(p, args, { L402_MINING_ADDRESS: miningAddress }).catch(async (err: Error) => {
    const logs = await compose(p, ['logs', '--no-color', '--tail', '20']).catch(() => '');
    throw new Error(`${err.message}\n${logs}`, { cause: err });
  });
}

async function bitcoinDesc(layout: ComposeLayout, faucetSeed: string): Promise<BitcoinDesc> {
  const { chain } = layout;
  const common = { rpcUser: POLAR_RPC.user, rpcPass: POLAR_RPC.pass, faucetSeed };
  if (chain.backend === 'bitcoind')
    return { backend: 'bitcoind', rpcUrl: `http://127.0.0.1:${chain.rpcPort}`, ...common };
  return {
    backend: 'btcd',
    rpcUrl: `https://127.0.0.1:${chain.rpcPort}`,
    rpcCertPath: join(chain.dataDir, 'rpc.cert'),
    ...common,
  };
}

/** Paths of an LND node's certificate and admin macaroon inside its lnddir (regtest). */
export function lndFilesIn(lnddir: string): { tlsCertPath: string; macaroonPath: string } {
  return {
    tlsCertPath: join(lnddir, 'tls.cert'),
    macaroonPath: join(lnddir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon'),
  };
}

async function projectOf(stateDir: string): Promise<(ComposeProject & { state: NetworkState }) | undefined> {
  const state = await readState(stateDir);
  return state?.compose ? { ...state.compose, state } : undefined;
}

/** `docker compose down -v` (containers, networks, volumes) for a network `upDocker` started, then its data and files. */
export async function downDocker(stateDir: string, deps: { clock: Clock; logger: Logger }): Promise<void> {
  const p = await projectOf(stateDir);
  if (!p) return;
  deps.logger.info({ files: p.files, project: p.project }, 'docker compose down');
  await compose(p, ['down', '-v', '--remove-orphans', '--timeout', '30']);
  for (const dir of p.state.compose?.dataDirs ?? []) {
    await rm(dir, { recursive: true, force: true });
    // And the folders above it that are now empty (./.regtest/docker/lnd, …), up to the project folder.
    for (let up = dirname(dir); up.startsWith(p.projectDir + sep); up = dirname(up))
      if (
        !(await rmdir(up).then(
          () => true,
          () => false,
        ))
      )
        break;
  }
  await teardown(stateDir, deps);
}

/** True when every service of the project runs (and is healthy where it has a health check). */
export async function dockerRunning(stateDir: string): Promise<boolean> {
  const p = await projectOf(stateDir);
  if (!p) return false;
  try {
    const all = (await compose(p, ['config', '--services'])).split('\n').filter(Boolean);
    const up = (await compose(p, ['ps', '--status', 'running', '--services'])).split('\n').filter(Boolean);
    return all.length > 0 && all.every((s) => up.includes(s));
  } catch {
    return false;
  }
}

/** Stops one node's container (SIGTERM to lnd, as a crash-free restart would). */
export async function stopDockerNode(stateDir: string, name: string): Promise<void> {
  const p = await projectOf(stateDir);
  if (!p) throw new Error(`no compose network recorded in ${stateDir}`);
  await compose(p, ['stop', '--timeout', '30', name]);
}

/** Starts a stopped node's container and waits until it is ready and its channels are active again. */
export async function startDockerNode(stateDir: string, node: NodeDesc, clock: Clock): Promise<void> {
  const p = await projectOf(stateDir);
  if (!p) throw new Error(`no compose network recorded in ${stateDir}`);
  await compose(p, ['start', node.name]);
  await waitForLnd(node, { clock, timeoutMs: 120_000 });
  await waitForChannelsActive(node, clock);
}
