import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { ensureBinaries } from './binaries.js';
import { REGTEST_TARGETS } from './go-targets.js';
import { bootstrap, prepareChain, type BootstrapResult } from './bootstrap.js';
import { Chain } from './chain.js';
import { Faucet } from './faucet.js';
import {
  RPC_PASS,
  RPC_USER,
  layoutLnds,
  spawnLnds,
  startBtcd,
  waitForLnds,
  type NativeLnd,
} from './native-daemons.js';
import { saveNetwork, type NetworkDesc, type NodeDesc } from './network-file.js';
import { endFailedUp, throwIfAborted, toreDown } from './abort.js';
import { freePorts } from './processes.js';
import { refuseRecordedNetwork, teardown, writeState } from './state.js';
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
  /** Stops the bring-up (Ctrl-C): no daemon starts after it fires, and what had started is torn down. */
  signal?: AbortSignal;
}

/**
 * Brings up a regtest network with no Docker: builds (or finds) btcd and
 * lnd, starts btcd mining to a TypeScript-held key, starts one lnd per
 * topology node on loopback ports in a temp dir, runs the shared bootstrap
 * and writes network.json. The daemons keep running after this returns;
 * `downNative(stateDir)` stops them. Refused while a network (of either kind)
 * is recorded in `stateDir`. Any failure, `opts.signal` firing included,
 * tears down what was started, once (abort.ts).
 */
export async function upNative(opts: NativeUpOptions): Promise<NetworkDesc> {
  const { topology, stateDir, clock, logger: log, signal } = opts;
  await refuseRecordedNetwork(stateDir);
  const bins = await ensureBinaries(REGTEST_TARGETS, { clock, logger: log });
  throwIfAborted(signal, 'before anything started');
  const dataDir = await mkdtemp(join(tmpdir(), 'l402-regtest-'));
  const logs = join(resolve(stateDir), 'logs');
  await mkdir(logs, { recursive: true });
  const outPath = resolve(opts.outPath);
  await writeState(stateDir, { version: 1, kind: 'native', dataDir, networkPath: outPath, processes: [] });
  const faucetSeed = opts.faucetSeed ?? 'native';
  const faucet = new Faucet(faucetSeed);
  const place = { stateDir, logs, clock, signal };
  let chain: Chain | undefined;
  try {
    const [rpcPort, btcdP2p, ...lndPorts] = await freePorts(2 + 3 * topology.nodes.length);
    const btcd = { bin: bins.btcd!, dir: join(dataDir, 'btcd'), rpcPort: rpcPort!, p2pPort: btcdP2p! };
    const rpcCert = await startBtcd(place, { ...btcd, miningAddr: faucet.address });
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
    await chain.waitReady(clock, 30_000, signal);
    await prepareChain(chain, log, signal);

    const nodes = layoutLnds(topology, dataDir, lndPorts);
    const lnd = { bin: bins.lnd!, btcdRpc: rpcPort!, rpcCert, fees: topology.fees };
    const records = await spawnLnds(place, nodes, lnd);
    // lnd waits for a recent tip: give it a fresh block while it starts.
    await chain.mine(1);
    await waitForLnds(place, nodes, records);
    log.info({ nodes: nodes.length }, 'lnd nodes ready');

    const boot = await bootstrap(
      topology,
      nodes.map((n) => ({ name: n.name, role: n.role, files: n.files, peerHost: `127.0.0.1:${n.p2p}` })),
      { clock, logger: log, chain, faucet, signal },
    );
    const desc = nativeDesc(nodes, boot, { rpcPort: rpcPort!, rpcCert, faucetSeed, stateDir, clock });
    await saveNetwork(outPath, desc);
    throwIfAborted(signal, 'writing network.json');
    return desc;
  } catch (err) {
    throw await endFailedUp(err, { log, stateDir, signal, doing: 'stopping what was started' }, async () =>
      toreDown((await teardown(stateDir, { clock, logger: log })).stopped),
    );
  } finally {
    await chain?.close();
  }
}

/** network.json of a native network: each node's files, key and loopback addresses, btcd's RPC, the channels. */
function nativeDesc(
  nodes: NativeLnd[],
  boot: BootstrapResult,
  n: { rpcPort: number; rpcCert: string; faucetSeed: string; stateDir: string; clock: Clock },
): NetworkDesc {
  return {
    version: 1,
    kind: 'native',
    network: 'regtest',
    createdAt: new Date(n.clock.now()).toISOString(),
    nodes: nodes.map((node): NodeDesc => ({
      name: node.name,
      role: node.role,
      ...node.files,
      pubkey: boot.pubkeys.get(node.name)!,
      p2p: `127.0.0.1:${node.p2p}`,
      grpc: `127.0.0.1:${node.grpc}`,
    })),
    bitcoin: {
      backend: 'btcd',
      rpcUrl: `https://127.0.0.1:${n.rpcPort}`,
      rpcUser: RPC_USER,
      rpcPass: RPC_PASS,
      rpcCertPath: n.rpcCert,
      faucetSeed: n.faucetSeed,
    },
    channels: boot.channels,
    stateDir: resolve(n.stateDir),
  };
}

/** Stops a native network started from `stateDir` and removes its data. */
export async function downNative(
  stateDir: string,
  deps: { clock: Clock; logger: Logger },
): Promise<string[]> {
  return (await teardown(stateDir, deps)).stopped;
}
