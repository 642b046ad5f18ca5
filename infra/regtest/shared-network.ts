import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../time/clock.js';
import { silentLogger, type Logger } from '../log.js';
import { cacheDir } from './binaries.js';
import { acquireFileLock } from './file-lock.js';
import { loadNetwork, type NetworkDesc } from './network-file.js';
import { upNative } from './native.js';
import { isAlive } from './processes.js';
import { processStatus, teardown } from './state.js';
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
}

/** A lease on the shared network: exclusive until `release()`. */
export interface SharedNetworkLease {
  net: NetworkDesc;
  stateDir: string;
  release(): Promise<void>;
}

const REAPER = fileURLToPath(new URL('./reaper.ts', import.meta.url));

/**
 * One native regtest network per owner process, reused by every test file
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
    const procs = await processStatus(stateDir);
    if (existing && procs.length > 0 && procs.every((p) => p.running))
      return { net: existing, stateDir, release };
    // Half a network (a crash mid-bring-up, a node that died): start over.
    await teardown(stateDir, { clock, logger: log });
    const started = clock.now();
    const net = await upNative({
      topology: opts.topology ?? defaultTopology,
      stateDir,
      outPath: path,
      clock,
      logger: log,
      faucetSeed: `shared-${ownerPid}`,
    });
    log.info({ seconds: (clock.now() - started) / 1000, stateDir }, 'shared regtest network up');
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

/** Tears down networks whose owner is gone (a reaper that was killed, a machine that rebooted). */
async function collectStale(root: string, clock: Clock, log: Logger): Promise<void> {
  for (const entry of await readdir(root).catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const owner = Number(entry);
    if (isAlive(owner)) continue;
    log.info({ owner }, 'removing a shared network whose owner is gone');
    await teardown(join(root, entry), { clock, logger: log });
    await rm(join(root, entry), { recursive: true, force: true });
  }
}
