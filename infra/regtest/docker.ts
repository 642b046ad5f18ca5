import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { bootstrap, prepareChain } from './bootstrap.js';
import { Chain } from './chain.js';
import { refuseUsedProject } from './compose-guard.js';
import type { ComposeLayout } from './compose-layout.js';
import { PROJECT, compose, composeLayout, composeUp, projectOf, type ComposeProject } from './compose-cli.js';
import { composeAvailable } from './engine.js';
import { Faucet } from './faucet.js';
import { waitForLnd } from './lnd-admin.js';
import { lndFiles } from './native-daemons.js';
import { waitForChannelsActive } from './node-restart.js';
import { saveNetwork, type BitcoinDesc, type NetworkDesc, type NodeDesc } from './network-file.js';
import { refuseRecordedNetwork, teardown, writeState } from './state.js';
import { defaultTopology, type Topology } from './topology.js';
import { LabError } from '../errors.js';
import { endFailedUp, throwIfAborted } from './abort.js';

/** Polar's regtest RPC credentials, which our compose files use too. */
export const POLAR_RPC = { user: 'polaruser', pass: 'polarpass' } as const;
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
  /** Stops the bring-up (Ctrl-C): nothing starts after it fires, and the project is taken down. */
  signal?: AbortSignal;
}

/**
 * Brings a compose network up (`docker compose up --wait`: every health
 * check passing), runs the same bootstrap as the native driver (nodes dial
 * each other by service name inside the compose network) and writes
 * network.json. The compose files fix the nodes, so the topology must name
 * the same ones (the default does). Refused while a network (of either kind)
 * is recorded in `stateDir`. Any failure, `opts.signal` firing included,
 * takes the project down, once (abort.ts).
 */
export async function upDocker(opts: DockerUpOptions): Promise<NetworkDesc> {
  const { clock, logger: log, signal } = opts;
  await refuseRecordedNetwork(opts.stateDir);
  throwIfAborted(signal, 'before anything started');
  if (!(await composeAvailable()))
    throw new Error(
      '`docker compose` (v2) is not available: install it, or run `npm run network:up -- --docker --prepare`',
    );
  const topology = opts.topology ?? defaultTopology;
  const { p, layout } = await prepareCompose(opts, topology);
  const faucetSeed = opts.faucetSeed ?? 'docker';
  const faucet = new Faucet(faucetSeed);
  let chain: Chain | undefined;
  try {
    // lnd only gets ready on a chain with a recent tip: start the chain backend, mine, then the nodes.
    await composeUp(p, faucet.address, log, [layout.chain.name], signal);
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
    await chain.waitReady(clock, 120_000, signal);
    await prepareChain(chain, log, signal);
    await chain.mine(1);
    await composeUp(p, faucet.address, log, [], signal);
    const nodes = topology.nodes.map((n) => {
      const l = layout.lnd.find((x) => x.name === n.name)!;
      return { ...n, l, files: lndFiles(l.lnddir, l.restPort) };
    });
    await Promise.all(nodes.map((n) => waitForLnd(n.files, { clock, timeoutMs: 180_000, signal })));
    const boot = await bootstrap(
      topology,
      nodes.map((n) => ({ name: n.name, role: n.role, files: n.files, peerHost: `${n.name}:9735` })),
      { clock, logger: log, chain, faucet, signal },
    );
    const desc: NetworkDesc = {
      version: 1,
      kind: 'docker',
      network: 'regtest',
      createdAt: new Date(clock.now()).toISOString(),
      nodes: nodes.map((n) => dockerNodeDesc(n, n.l, boot.pubkeys.get(n.name)!)),
      bitcoin,
      channels: boot.channels,
      stateDir: resolve(opts.stateDir),
    };
    await saveNetwork(opts.outPath, desc);
    throwIfAborted(signal, 'writing network.json');
    return desc;
  } catch (err) {
    const ctx = { log, stateDir: opts.stateDir, signal, doing: 'taking the compose project down' };
    throw await endFailedUp(err, ctx, async () => {
      await downDocker(opts.stateDir, { clock, logger: log });
      return `removed compose project ${p.project}`;
    });
  } finally {
    await chain?.close();
  }
}

/**
 * Checks the compose project defines every topology node and is not in use
 * by another network (compose-guard.ts), creates its
 * bind-mounted folders (or Docker makes them root-owned) and records the
 * project in the state, so `down` can remove it whatever happens next.
 */
async function prepareCompose(
  opts: DockerUpOptions,
  topology: Topology,
): Promise<{ p: ComposeProject; layout: ComposeLayout }> {
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
  refuseOtherFees(topology);
  const dataDirs = [...layout.lnd.map((l) => l.lnddir), layout.chain.dataDir];
  await refuseUsedProject(p, dataDirs);
  for (const dir of dataDirs) await mkdir(dir, { recursive: true });
  if (layout.chain.backend === 'btcd') await writeFile(join(layout.chain.dataDir, 'btcd.conf'), '');
  await writeState(opts.stateDir, {
    version: 1,
    kind: 'docker',
    networkPath: resolve(opts.outPath),
    processes: [],
    compose: { ...p, dataDirs },
  });
  return { p, layout };
}

/**
 * The compose files run every lnd with the default topology's forwarding
 * fees (test/regtest/compose.test.ts ties them): a topology with other fees
 * would get them only on the channels its bootstrap opens, the far sides
 * charging the compose files' fees, so it runs natively only.
 */
function refuseOtherFees(topology: Topology): void {
  const { baseMsat, ratePpm } = topology.fees;
  const d = defaultTopology.fees;
  if (baseMsat !== d.baseMsat || ratePpm !== d.ratePpm)
    throw new LabError(
      'topology_fees',
      `the compose files run every lnd at ${d.baseMsat} msat + ${d.ratePpm} ppm; this topology's fees (${baseMsat} msat + ${ratePpm} ppm) run only natively: use --native, or the default fees`,
    );
}

/** network.json's entry for one compose node: its files and key, its ports as published on loopback. */
function dockerNodeDesc(
  n: {
    name: string;
    role: NodeDesc['role'];
    files: Pick<NodeDesc, 'restUrl' | 'tlsCertPath' | 'macaroonPath'>;
  },
  l: ComposeLayout['lnd'][number],
  pubkey: string,
): NodeDesc {
  return {
    name: n.name,
    role: n.role,
    ...n.files,
    pubkey,
    p2p: `127.0.0.1:${l.p2pPort}`,
    ...(l.grpcPort ? { grpc: `127.0.0.1:${l.grpcPort}` } : {}),
  };
}

/** network.json's chain backend entry: bitcoind over HTTP or btcd over TLS, with Polar's credentials. */
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
