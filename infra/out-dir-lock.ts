/**
 * One writer at a time in an `--out` directory (a run's, a sweep's): two
 * commands writing into one directory at once would mix their files, each
 * removing the other's and both exiting 0. The writer holds `out.lock` in the
 * directory (infra/file-lock.ts: its pid and start time, a lock left by a
 * process that died taken over) for as long as it writes there.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LabError, isLabError } from './errors.js';
import { lockFile } from './file-lock.js';

/** An `--out` directory another live command is writing into. */
export type OutDirLockErrorCode = 'out_dir_busy';

/** The lock's files in the directory: the lock, and the file a takeover of a stale one goes through. */
export const OUT_DIR_LOCK_FILES: readonly string[] = ['out.lock', 'out.lock.takeover'];

/** A held out-directory lock. */
export interface OutDirLock {
  /**
   * Gives the lock up (once), and removes the directories taking it created if they are
   * still empty: a command that wrote nothing leaves the file system as it was.
   */
  release(): Promise<void>;
}

/**
 * Takes `dir`'s lock for `writer` (`sweep`, `run`), creating the directory if need be; a
 * directory another live process (or this one) holds is refused, LabError('out_dir_busy')
 * naming it, that process's pid and what to do.
 */
export async function lockOutDir(dir: string, writer: string): Promise<OutDirLock> {
  const created = firstMissing(dir);
  try {
    // A run's files are for reading: the directory gets the umask's default mode, not a private one.
    const lock = await lockFile(join(dir, 'out'), 'output directory', { dirMode: 0o777 });
    return {
      async release() {
        await lock.release();
        if (created !== undefined) removeEmpty(dir, created);
      },
    };
  } catch (err) {
    if (created !== undefined) removeEmpty(dir, created);
    if (!isLabError(err, 'file_locked')) throw err;
    const pid = holder(dir);
    const who = pid === String(process.pid) ? `process ${pid} (this one)` : `process ${pid}`;
    throw new LabError<OutDirLockErrorCode>(
      'out_dir_busy',
      `--out ${dir} is in use: ${who} is writing a sweep or a run there, and a ${writer} writing there too ` +
        `would mix their files; give another --out, or wait for that process to end ` +
        `(a lock left in ${join(dir, OUT_DIR_LOCK_FILES[0]!)} by a process that died is taken over)`,
      { cause: err },
    );
  }
}

/** The pid in the directory's lock file, as it reads now. */
function holder(dir: string): string {
  try {
    return readFileSync(join(dir, OUT_DIR_LOCK_FILES[0]!), 'utf8').trim().split(/\s+/)[0] || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The outermost of `dir` and its parents that does not exist yet (undefined: `dir` exists). */
function firstMissing(dir: string): string | undefined {
  let missing: string | undefined;
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing = d;
    if (dirname(d) === d) break;
  }
  return missing;
}

/** Removes `dir` and its parents up to `top`, each while it is empty. */
function removeEmpty(dir: string, top: string): void {
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (readdirSync(d).length > 0) return;
      rmdirSync(d);
    } catch {
      return;
    }
    if (d === top || dirname(d) === d) return;
  }
}
