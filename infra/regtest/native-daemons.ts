import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../time/clock.js';
import { waitFor } from './wait.js';
import { waitForLnd } from './lnd-admin.js';
import { isOurs, logTail, spawnDaemon, type ProcessRecord } from './processes.js';
import { recordProcess } from './state.js';
import { throwIfAborted } from './abort.js';
import type { Topology } from './topology.js';
import { COMMIT_SAT_PER_VBYTE } from './fee-rates.js';

/** btcd's RPC credentials on a native network (regtest only, loopback only). */
export const RPC_USER = 'lab';
export const RPC_PASS = 'regtest';

/** Files of one lnd node inside its lnddir (native, or a compose node's bind-mounted one), REST on loopback. */
export function lndFiles(
  lnddir: string,
  restPort: number,
): { restUrl: string; tlsCertPath: string; macaroonPath: string } {
  return {
    restUrl: `https://127.0.0.1:${restPort}`,
    tlsCertPath: join(lnddir, 'tls.cert'),
    macaroonPath: join(lnddir, 'data', 'chain', 'bitcoin', 'regtest', 'admin.macaroon'),
  };
}

/** Where a native network's daemons record themselves and write their logs, and the bring-up's abort signal. */
export interface DaemonPlace {
  stateDir: string;
  logs: string;
  clock: Clock;
  /** Once it fires no daemon starts and every wait rejects (LabError('aborted')). */
  signal?: AbortSignal;
}

/**
 * Starts one daemon, unless the bring-up was aborted, and records it in the
 * state before returning, so a teardown finds it whatever happens next.
 */
async function startRecorded(
  place: DaemonPlace,
  name: string,
  bin: string,
  args: string[],
): Promise<ProcessRecord> {
  throwIfAborted(place.signal, `starting ${name}`);
  const rec = spawnDaemon(name, bin, args, join(place.logs, `${name}.log`));
  await recordProcess(place.stateDir, rec);
  return rec;
}

/**
 * Starts btcd in `dir`, mining to `miningAddr`, recorded in the state, and
 * waits (30 s) for its RPC certificate; returns the certificate's path.
 */
export async function startBtcd(
  place: DaemonPlace,
  btcd: { bin: string; dir: string; rpcPort: number; p2pPort: number; miningAddr: string },
): Promise<string> {
  await mkdir(btcd.dir, { recursive: true });
  await writeFile(join(btcd.dir, 'btcd.conf'), '');
  const rpcCert = join(btcd.dir, 'rpc.cert');
  const args = btcdArgs(btcd.dir, btcd.rpcPort, btcd.p2pPort, btcd.miningAddr);
  const rec = await startRecorded(place, 'btcd', btcd.bin, args);
  await waitFor(
    place.clock,
    30_000,
    'btcd rpc.cert',
    () =>
      access(rpcCert).then(
        () => true,
        () => isOursOrThrow(rec),
      ),
    place.signal,
  );
  return rpcCert;
}

/** One topology node as a native lnd: its directory, loopback ports and files. */
export type NativeLnd = Topology['nodes'][number] & {
  lnddir: string;
  p2p: number;
  grpc: number;
  rest: number;
  files: ReturnType<typeof lndFiles>;
};

/** Lays out one lnd per topology node in `dataDir`/lnd, three ports each from `ports`. */
export function layoutLnds(topology: Topology, dataDir: string, ports: number[]): NativeLnd[] {
  return topology.nodes.map((n, i) => {
    const [p2p, grpc, rest] = ports.slice(3 * i, 3 * i + 3) as [number, number, number];
    const lnddir = join(dataDir, 'lnd', n.name);
    return { ...n, lnddir, p2p, grpc, rest, files: lndFiles(lnddir, rest) };
  });
}

/**
 * Starts every lnd against btcd (recorded in the state); returns their
 * process records in node order. When one fails to start (or the bring-up
 * was aborted) it still waits for the others, so every lnd that did start is
 * recorded before the caller's teardown reads the state.
 */
export async function spawnLnds(
  place: DaemonPlace,
  nodes: NativeLnd[],
  lnd: { bin: string; btcdRpc: number; rpcCert: string; fees: Topology['fees'] },
): Promise<ProcessRecord[]> {
  const started = await Promise.allSettled(
    nodes.map(async (n) => {
      await mkdir(n.lnddir, { recursive: true });
      await writeFile(join(n.lnddir, 'lnd.conf'), '');
      const args = lndArgs({ ...n, btcdRpc: lnd.btcdRpc, rpcCert: lnd.rpcCert, fees: lnd.fees });
      return startRecorded(place, n.name, lnd.bin, args);
    }),
  );
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return started.map((r) => (r as PromiseFulfilledResult<ProcessRecord>).value);
}

/** Waits (120 s each) until every lnd answers, failing early with its log tail if one exits. */
export async function waitForLnds(
  { clock, signal }: DaemonPlace,
  nodes: NativeLnd[],
  records: ProcessRecord[],
): Promise<void> {
  await Promise.all(
    nodes.map((n, i) =>
      waitForLnd(n.files, {
        clock,
        signal,
        timeoutMs: 120_000,
        isRunning: () => isOurs(records[i]!),
        describe: () => logTail(records[i]!.logFile),
      }),
    ),
  );
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

export function lndArgs(n: {
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
    `--max-commit-fee-rate-anchors=${COMMIT_SAT_PER_VBYTE}`,
    `--bitcoin.basefee=${n.fees.baseMsat}`,
    `--bitcoin.feerate=${n.fees.ratePpm}`,
    '--accept-keysend',
    '--maxpendingchannels=10',
    '--debuglevel=info',
  ];
}
