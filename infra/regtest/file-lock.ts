import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../time/clock.js';
import { isAlive } from './processes.js';
import { LabError } from '../errors.js';

export interface LockOptions {
  clock: Clock;
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Poll interval (ms). */
  pollMs?: number;
  /** Whose lock it is; a lock whose owner process is gone is taken over. Default: this process. */
  ownerPid?: number;
}

/**
 * Runs `fn` holding an inter-process lock: a directory created with
 * `mkdir` (atomic on every filesystem we use) holding the owner's pid. A lock
 * left by a dead process is broken, so a crash never wedges later runs.
 */
export async function withFileLock<T>(path: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const release = await acquireFileLock(path, opts);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/** Takes the lock and returns its release function (see `withFileLock`). */
export async function acquireFileLock(path: string, opts: LockOptions): Promise<() => Promise<void>> {
  const { clock, timeoutMs, pollMs = 200, ownerPid = process.pid } = opts;
  const started = clock.now();
  const ownerFile = join(path, 'owner');
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(ownerFile, String(ownerPid));
      return async () => {
        await rm(path, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(await readFile(ownerFile, 'utf8').catch(() => ''));
    // No owner file yet: the holder is between mkdir and writeFile; wait a little.
    if (owner > 0 && !isAlive(owner)) {
      await rm(path, { recursive: true, force: true });
      continue;
    }
    if (clock.now() - started > timeoutMs) {
      throw new LabError(
        'lock_timeout',
        `lock ${path} is held by pid ${owner || '?'} for over ${Math.round(timeoutMs / 1000)} s; ` +
          `if that process is stuck, stop it or delete the directory`,
      );
    }
    await clock.sleep(pollMs);
  }
}
