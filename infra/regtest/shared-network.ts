import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { cacheDir } from './binaries.js';
import { acquireFileLock } from './file-lock.js';
import { upDocker } from './docker.js';
import { composeFilesFor, type ImageChoice } from './images.js';
import { downNetwork, networkRunning } from './lifecycle.js';
import { loadNetwork, type NetworkDesc } from './network-file.js';
import { upNative } from './native.js';
import { isAlive } from './processes.js';
import { defaultTopology, type Topology } from './topology.js';

export interface SharedNetworkOptions {
  /**
   * The process whose lifetime the network shares (a test run: vitest's main
   * process). Every process naming the same owner gets the same network; it
   * is torn down when the owner exits.
   */
  ownerPid: number;
  clock: Clock;
  logger?: Logger;
  topology?: Topology;
  /** Default `<cache>/shared-networks`. */
  root?: string;
  /** How long to wait for another user of the network to finish (default 30 min). */
  waitMs?: number;
  /**
   * `native` (default): btcd + lnd processes on free ports. `compose`: the
   * docker-compose network on a Docker engine (fixed ports, so one at a time
   * per machine), with `images` choosing Polar's or the local images.
   */
  driver?: 'native' | 'compose';
  images?: ImageChoice;
}

/** A lease on the shared network: exclusive until `release()`. */
export interface SharedNetworkLease {
  net: NetworkDesc;
  stateDir: string;
  release(): Promise<void>;
}

const REAPER = fileURLToPath(new URL('./reaper.ts', import.meta.url));

/**
 * One regtest network (native, or compose with `driver: 'compose'`) per owner process, reused by every test file
 * (each file runs in its own worker process). The first caller brings it up
 * and starts a detached reaper that tears it down once the owner exits; later
 * callers reuse it. A lease is exclusive, because tests stop nodes and
 * compare balances to the msat: files using the network take turns.
 */
export async function acquireSharedNetwork(opts: SharedNetworkOptions): Promise<SharedNetworkLease> {
  const { ownerPid, clock } = opts;
  const log = opts.logger ?? silentLogger;
  const root = opts.root ?? join(cacheDir(), 'shared-networks');
  await mkdir(root, { recursive: true });
  await collectStale(root, clock, log);
  const stateDir = join(root, String(ownerPid));
  const release = await acquireFileLock(join(root, `${ownerPid}.lease`), {
    clock,
    timeoutMs: opts.waitMs ?? 30 * 60_000,
  });
  try {
    const path = join(stateDir, 'network.json');
    const existing = await loadNetwork(path).catch(() => undefined);
    if (existing && (await networkRunning(stateDir))) return { net: existing, stateDir, release };
    // Half a network (a crash mid-bring-up, a node that died): start over.
    await downNetwork(stateDir, { clock, logger: log });
    const started = clock.now();
    const topology = opts.topology ?? defaultTopology;
    const faucetSeed = `shared-${ownerPid}`;
    const net =
      opts.driver === 'compose'
        ? await upDocker({
            composeFiles: (await composeFilesFor(opts.images ?? 'auto', { clock, logger: log })).files,
            projectDir: stateDir,
            project: `l402-lab-shared-${ownerPid}`,
            stateDir,
            outPath: path,
            clock,
            logger: log,
            topology,
            faucetSeed,
          })
        : await upNative({ topology, stateDir, outPath: path, clock, logger: log, faucetSeed });
    log.info(
      { seconds: (clock.now() - started) / 1000, stateDir, kind: net.kind },
      'shared regtest network up',
    );
    spawnReaper(ownerPid, stateDir);
    return { net, stateDir, release };
  } catch (err) {
    await release();
    throw err;
  }
}

/** Starts the detached watcher that tears the network down after the owner exits. */
function spawnReaper(ownerPid: number, stateDir: string): void {
  const fd = openSync(join(stateDir, 'reaper.log'), 'a');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', REAPER, String(ownerPid), stateDir], {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    });
    child.unref();
  } finally {
    closeSync(fd);
  }
}

/**
 * Tears down networks whose owner is gone (a reaper that was killed, a
 * machine that rebooted), and removes the `<owner>.lease` locks left beside
 * them by workers killed while holding one (both pids gone).
 */
export async function collectStale(root: string, clock: Clock, log: Logger): Promise<void> {
  for (const entry of await readdir(root).catch(() => [])) {
    if (/^\d+$/.test(entry)) await collectNetwork(root, entry, clock, log);
    else if (/^\d+\.lease$/.test(entry)) await collectLease(root, entry, log);
  }
}

async function collectNetwork(root: string, entry: string, clock: Clock, log: Logger): Promise<void> {
  const owner = Number(entry);
  if (isAlive(owner)) return;
  log.info({ owner }, 'removing a shared network whose owner is gone');
  await downNetwork(join(root, entry), { clock, logger: log }).catch((err: unknown) =>
    log.warn({ owner, err: String(err) }, 'could not take a stale network down'),
  );
  await rm(join(root, entry), { recursive: true, force: true });
}

/** A lease whose network owner and holder are both gone; one with no holder pid yet is being taken: kept. */
async function collectLease(root: string, entry: string, log: Logger): Promise<void> {
  const owner = Number(entry.slice(0, -'.lease'.length));
  const holder = Number(await readFile(join(root, entry, 'owner'), 'utf8').catch(() => ''));
  if (isAlive(owner) || !(holder > 0) || isAlive(holder)) return;
  log.info({ owner, holder }, 'removing a shared-network lease whose owner and holder are gone');
  await rm(join(root, entry), { recursive: true, force: true });
}
