import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { ensureBinaries } from './binaries.js';
import { REGTEST_TARGETS } from './go-targets.js';
import { bootstrap, prepareChain, waitFor } from './bootstrap.js';
import { Chain } from './chain.js';
import { Faucet } from './faucet.js';
import { LndNode } from '../lightning/lnd/index.js';
import { LndAdmin, waitForLnd } from './lnd-admin.js';
import { saveNetwork, type NetworkDesc, type NodeDesc } from './network-file.js';
import { freePorts, isOurs, logTail, spawnDaemon, stopProcess, type ProcessRecord } from './processes.js';
import { readState, recordProcess, teardown, writeState } from './state.js';
import type { Topology } from './topology.js';

export interface NativeUpOptions {
  topology: Topology;
  /** Holds state.json and daemon logs; `down` needs it. */
  stateDir: string;
  /** Where network.json goes. */
  outPath: string;
  clock: Clock;
  logger: Logger;
  /** Faucet key seed (regtest coins only). */
  faucetSeed?: string;
}

const RPC_USER = 'lab';
const RPC_PASS = 'regtest';

/** Files of one native lnd node inside its lnddir. */
function lndFiles(
  lnddir: string,
  restPort: number,
): { restUrl: string; tlsCertPath: string; macaroonPath: string } {
  return {
    restUrl: `https://127.0.0.1:${restPort}`,
    tlsCertPath: join(lnddir, 'tls.cert'),
    macaroonPath: join(lnddir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon'),
  };
}

/**
 * Brings up a regtest network with no Docker: builds (or finds) btcd and
 * lnd, starts btcd mining to a TypeScript-held key, starts one lnd per
 * topology node on loopback ports in a temp dir, runs the shared bootstrap
 * and writes network.json. The daemons keep running after this returns;
 * `downNative(stateDir)` stops them. Any failure tears down what was started.
 */
export async function upNative(opts: NativeUpOptions): Promise<NetworkDesc> {
  const { topology, stateDir, clock, logger: log } = opts;
  const existing = await readState(stateDir);
  if (existing?.processes.some(isOurs)) {
    throw new Error(`a network is already running from ${stateDir}; run \`npm run network:down\` first`);
  }
  const bins = await ensureBinaries(REGTEST_TARGETS, { clock, logger: log });
  const dataDir = await mkdtemp(join(tmpdir(), 'l402-regtest-'));
  const logs = join(resolve(stateDir), 'logs');
  await mkdir(logs, { recursive: true });
  const outPath = resolve(opts.outPath);
  await writeState(stateDir, { version: 1, kind: 'native', dataDir, networkPath: outPath, processes: [] });
  const faucetSeed = opts.faucetSeed ?? 'native';
  const faucet = new Faucet(faucetSeed);
  let chain: Chain | undefined;
  try {
    const [rpcPort, btcdP2p, ...lndPorts] = await freePorts(2 + 3 * topology.nodes.length);
    const btcdDir = join(dataDir, 'btcd');
    await mkdir(btcdDir, { recursive: true });
    await writeFile(join(btcdDir, 'btcd.conf'), '');
    const rpcCert = join(btcdDir, 'rpc.cert');
    const btcd = spawnDaemon(
      'btcd',
      bins.btcd!,
      btcdArgs(btcdDir, rpcPort!, btcdP2p!, faucet.address),
      join(logs, 'btcd.log'),
    );
    await recordProcess(stateDir, btcd);
    await waitFor(clock, 30_000, 'btcd rpc.cert', () =>
      access(rpcCert).then(
        () => true,
        () => isOursOrThrow(btcd),
      ),
    );
    chain = new Chain(
      {
        backend: 'btcd',
        url: `https://127.0.0.1:${rpcPort}`,
        user: RPC_USER,
        pass: RPC_PASS,
        tlsCert: await readFile(rpcCert, 'utf8'),
      },
      faucet.address,
    );
    await chain.waitReady(clock, 30_000);
    await prepareChain(chain, log);

    const nodes = topology.nodes.map((n, i) => {
      const [p2p, grpc, rest] = lndPorts.slice(3 * i, 3 * i + 3) as [number, number, number];
      const lnddir = join(dataDir, 'lnd', n.name);
      return { ...n, lnddir, p2p, grpc, rest, files: lndFiles(lnddir, rest) };
    });
    const records = await Promise.all(
      nodes.map(async (n) => {
        await mkdir(n.lnddir, { recursive: true });
        await writeFile(join(n.lnddir, 'lnd.conf'), '');
        const args = lndArgs({ ...n, btcdRpc: rpcPort!, rpcCert, fees: topology.fees });
        const rec = spawnDaemon(n.name, bins.lnd!, args, join(logs, `${n.name}.log`));
        await recordProcess(stateDir, rec);
        return rec;
      }),
    );
    // lnd waits for a recent tip: give it a fresh block while it starts.
    await chain.mine(1);
    await Promise.all(
      nodes.map((n, i) =>
        waitForLnd(n.files, {
          clock,
          timeoutMs: 120_000,
          isRunning: () => isOurs(records[i]!),
          describe: () => logTail(records[i]!.logFile),
        }),
      ),
    );
    log.info({ nodes: nodes.length }, 'lnd nodes ready');

    const boot = await bootstrap(
      topology,
      nodes.map((n) => ({ name: n.name, role: n.role, files: n.files, peerHost: `127.0.0.1:${n.p2p}` })),
      { clock, logger: log, chain, faucet },
    );
    const desc: NetworkDesc = {
      version: 1,
      kind: 'native',
      network: 'regtest',
      createdAt: new Date(clock.now()).toISOString(),
      nodes: nodes.map((n): NodeDesc => ({
        name: n.name,
        role: n.role,
        ...n.files,
        pubkey: boot.pubkeys.get(n.name)!,
        p2p: `127.0.0.1:${n.p2p}`,
        grpc: `127.0.0.1:${n.grpc}`,
      })),
      bitcoin: {
        backend: 'btcd',
        rpcUrl: `https://127.0.0.1:${rpcPort}`,
        rpcUser: RPC_USER,
        rpcPass: RPC_PASS,
        rpcCertPath: rpcCert,
        faucetSeed,
      },
      channels: boot.channels,
      stateDir: resolve(stateDir),
    };
    await saveNetwork(outPath, desc);
    return desc;
  } catch (err) {
    log.error({ err: String(err) }, 'bring-up failed; stopping what was started');
    await teardown(stateDir, { clock, logger: log });
    throw err;
  } finally {
    await chain?.close();
  }
}

/** Stops a native network started from `stateDir` and removes its data. */
export async function downNative(
  stateDir: string,
  deps: { clock: Clock; logger: Logger },
): Promise<string[]> {
  return (await teardown(stateDir, deps)).stopped;
}

/** Stops one daemon of a running native network (tests: a node going down mid-payment). */
export async function stopNode(stateDir: string, name: string, clock: Clock): Promise<void> {
  const rec = await recordOf(stateDir, name);
  await stopProcess(rec, clock);
}

/**
 * Starts a stopped lnd again with the same arguments and data, and waits
 * until it is ready and every one of its channels is active again (its peers
 * reconnected), so the next payment through it can succeed.
 */
export async function startNode(stateDir: string, node: NodeDesc, clock: Clock): Promise<void> {
  const rec = await recordOf(stateDir, node.name);
  if (isOurs(rec)) return;
  const again = spawnDaemon(rec.name, rec.cmd, rec.args, rec.logFile);
  await recordProcess(stateDir, again);
  await waitForLnd(node, {
    clock,
    timeoutMs: 120_000,
    isRunning: () => isOurs(again),
    describe: () => logTail(again.logFile),
  });
  await waitForChannelsActive(node, clock);
}

/** Waits until every channel of a node that just restarted is active again (its peers reconnected). */
export async function waitForChannelsActive(node: NodeDesc, clock: Clock, timeoutMs = 60_000): Promise<void> {
  const lnd = await LndNode.fromFiles(node, { clock });
  try {
    const admin = new LndAdmin(lnd.rest);
    await waitFor(clock, timeoutMs, `${node.name}'s channels to reactivate`, async () =>
      (await admin.channels()).every((c) => c.active),
    );
  } finally {
    await lnd.close();
  }
}

async function recordOf(stateDir: string, name: string): Promise<ProcessRecord> {
  const rec = (await readState(stateDir))?.processes.find((p) => p.name === name);
  if (!rec) throw new Error(`no daemon named ${name} recorded in ${stateDir}`);
  return rec;
}

function isOursOrThrow(rec: ProcessRecord): Promise<boolean> {
  if (!isOurs(rec))
    return logTail(rec.logFile).then((t) => Promise.reject(new Error(`${rec.name} exited:\n${t}`)));
  return Promise.resolve(false);
}

function btcdArgs(dir: string, rpcPort: number, p2pPort: number, miningAddr: string): string[] {
  return [
    '--regtest',
    `--configfile=${join(dir, 'btcd.conf')}`,
    `--datadir=${join(dir, 'data')}`,
    `--logdir=${join(dir, 'logs')}`,
    `--rpccert=${join(dir, 'rpc.cert')}`,
    `--rpckey=${join(dir, 'rpc.key')}`,
    `--rpcuser=${RPC_USER}`,
    `--rpcpass=${RPC_PASS}`,
    `--rpclisten=127.0.0.1:${rpcPort}`,
    `--listen=127.0.0.1:${p2pPort}`,
    '--txindex',
    '--nobanning',
    `--miningaddr=${miningAddr}`,
    '--debuglevel=info',
  ];
}

function lndArgs(n: {
  name: string;
  lnddir: string;
  p2p: number;
  grpc: number;
  rest: number;
  btcdRpc: number;
  rpcCert: string;
  fees: Topology['fees'];
}): string[] {
  return [
    `--lnddir=${n.lnddir}`,
    `--configfile=${join(n.lnddir, 'lnd.conf')}`,
    `--alias=${n.name}`,
    `--listen=127.0.0.1:${n.p2p}`,
    `--rpclisten=127.0.0.1:${n.grpc}`,
    `--restlisten=127.0.0.1:${n.rest}`,
    '--bitcoin.regtest',
    '--bitcoin.node=btcd',
    `--btcd.rpchost=127.0.0.1:${n.btcdRpc}`,
    `--btcd.rpcuser=${RPC_USER}`,
    `--btcd.rpcpass=${RPC_PASS}`,
    `--btcd.rpccert=${n.rpcCert}`,
    '--noseedbackup',
    '--nobootstrap',
    '--trickledelay=50',
    '--gossip.sub-batch-delay=100ms',
    '--bitcoin.defaultchanconfs=1',
    `--bitcoin.basefee=${n.fees.baseMsat}`,
    `--bitcoin.feerate=${n.fees.ratePpm}`,
    '--accept-keysend',
    '--maxpendingchannels=10',
    '--debuglevel=info',
  ];
}
