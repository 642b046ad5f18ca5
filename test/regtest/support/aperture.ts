/**
 * Aperture v0.5.0 (lightninglabs' L402 reverse proxy) as a real peer for
 * interop tests and the regtest benchmark: built by our Go builder, started
 * with `--configfile` in a temp dir (sqlite, plain HTTP), its authenticator
 * pointed at one lnd of a native regtest network over gRPC.
 *
 *   const aperture = await startAperture({ binary, lnd: nodeByName(net, 'seller-1'),
 *     lndGrpc: await lndGrpcHost(stateDir, 'seller-1', net), backend: '127.0.0.1:8080', service: 'fortune', priceSat: 10 });
 *   await fetch(`${aperture.url}/v1/fortune`); // 402 with an LSAT and an L402 challenge
 *   await aperture.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLogger } from '../../../infra/log.js';
import { ensureBinaries, existingBinary, goVersion } from '../../../infra/regtest/binaries.js';
import { APERTURE } from '../../../infra/regtest/go-targets.js';
import type { NetworkDesc, NodeDesc } from '../../../infra/regtest/network-file.js';
import { freePorts, logTail } from '../../../infra/regtest/processes.js';
import { readState } from '../../../infra/regtest/state.js';
import { systemClock, type Clock } from '../../../infra/time/clock.js';

/** `{ binary }` when Aperture v0.5.0 is built (building it if Go is there); otherwise why not. */
export async function apertureAvailability(): Promise<{ binary: string } | { unavailable: string }> {
  const present = await existingBinary(APERTURE);
  if (present) return { binary: present };
  if (!(await goVersion())) return { unavailable: 'Go is not installed, so Aperture v0.5.0 cannot be built' };
  try {
    const bins = await ensureBinaries([APERTURE], {
      clock: systemClock,
      logger: createLogger({ name: 'aperture-build' }),
    });
    return { binary: bins.aperture! };
  } catch (err) {
    return { unavailable: `building Aperture v0.5.0 failed: ${(err as Error).message}` };
  }
}

/**
 * lnd's gRPC address (Aperture and lnget speak gRPC, our code speaks REST):
 * network.json's `grpc` when it records one (native, docker and Polar
 * networks do), else the `--rpclisten` a native network's state file kept.
 */
export async function lndGrpcHost(
  stateDir: string | undefined,
  node: string,
  net?: NetworkDesc,
): Promise<string> {
  const recorded = net?.nodes.find((n) => n.name === node)?.grpc;
  if (recorded) return recorded;
  const state = stateDir ? await readState(stateDir) : undefined;
  const rec = state?.processes.find((p) => p.name === node);
  const flag = rec?.args.find((a) => a.startsWith('--rpclisten='));
  if (!flag) {
    throw new Error(
      `no gRPC address for ${node}: network.json has no "grpc" for it and no --rpclisten is recorded ` +
        `in ${stateDir ?? '(no state dir)'}/state.json; add "grpc": "127.0.0.1:<port>" to the node in network.json`,
    );
  }
  return flag.slice('--rpclisten='.length);
}

/** What Aperture fronts and whom it invoices through. */
export interface ApertureOptions {
  binary: string;
  /** The lnd that issues Aperture's invoices (its tls.cert and macaroon directory are used). */
  lnd: Pick<NodeDesc, 'tlsCertPath' | 'macaroonPath'>;
  /** `host:port` of that lnd's gRPC listener. */
  lndGrpc: string;
  /** `host:port` of the plain-HTTP backend behind Aperture. */
  backend: string;
  /** Service name, written into the `services=` caveat. */
  service: string;
  /** Aperture prices in whole satoshis. */
  priceSat: number;
  /** Token lifetime (`<service>_valid_until` caveat), seconds. */
  timeoutSec?: number;
  /** Aperture's log level (default info, which logs every request; the benchmark uses error). */
  debugLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  clock?: Clock;
  /** How long to wait for the first 402 (default 30 s). */
  readyTimeoutMs?: number;
}

/** A running Aperture: where it listens, its log, and how to stop it. */
export interface RunningAperture {
  url: string;
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after 10 s; removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Aperture's YAML (goccy/go-yaml: keys are the lowercased Go field names). */
function apertureConfig(o: ApertureOptions, listen: string, baseDir: string): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    `listenaddr: ${q(listen)}`,
    'insecure: true',
    `debuglevel: ${q(o.debugLevel ?? 'info')}`,
    'dbbackend: "sqlite"',
    `basedir: ${q(baseDir)}`,
    'authenticator:',
    '  network: "regtest"',
    `  lndhost: ${q(o.lndGrpc)}`,
    `  tlspath: ${q(o.lnd.tlsCertPath)}`,
    `  macdir: ${q(dirname(o.lnd.macaroonPath))}`,
    'services:',
    `  - name: ${q(o.service)}`,
    "    hostregexp: '.*'",
    "    pathregexp: '^/.*$'",
    `    address: ${q(o.backend)}`,
    '    protocol: http',
    `    price: ${o.priceSat}`,
    `    timeout: ${o.timeoutSec ?? 3600}`,
    '',
  ].join('\n');
}

/**
 * Starts Aperture and resolves once it answers a request with a 402 (it is
 * connected to lnd and minting). Rejects with its log tail if it exits or
 * does not get there in time. The child is killed if this process exits.
 */
export async function startAperture(o: ApertureOptions): Promise<RunningAperture> {
  const clock = o.clock ?? systemClock;
  const dir = await mkdtemp(join(tmpdir(), 'l402-aperture-'));
  const [port] = await freePorts(1);
  const listen = `127.0.0.1:${port}`;
  const configFile = join(dir, 'aperture.yaml');
  const logFile = join(dir, 'stdout.log');
  await writeFile(configFile, apertureConfig(o, listen, dir));
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // The sqlite file is a flag: the YAML key would be `databasefilename`, not the sample's `dbfile`.
    child = spawn(o.binary, [`--configfile=${configFile}`, `--sqlite.dbfile=${join(dir, 'aperture.db')}`], {
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      process.off('exit', killOnExit);
      if (!exited) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exit.then(() => true), clock.sleep(10_000).then(() => false)]);
        if (!killed) {
          child.kill('SIGKILL');
          await exit;
        }
      }
      await rm(dir, { recursive: true, force: true });
    })());

  const url = `http://${listen}`;
  const until = clock.now() + (o.readyTimeoutMs ?? 30_000);
  let last = 'no answer yet';
  for (;;) {
    if (exited) {
      const tail = await logTail(logFile, 30);
      await stop();
      throw new Error(`aperture exited during start-up:\n${tail}`);
    }
    try {
      const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 402) break;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (clock.now() > until) {
      const tail = await logTail(logFile, 30);
      await stop();
      throw new Error(
        `aperture did not answer with a 402 within the start-up bound (last: ${last}):\n${tail}`,
      );
    }
    await clock.sleep(100);
  }
  return { url, pid: child.pid!, logFile, stop };
}
