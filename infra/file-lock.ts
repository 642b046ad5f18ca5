import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LabError } from './errors.js';

/** Codes of `lockFile` errors. */
export type FileLockErrorCode = 'file_locked';

/** A held single-writer lock; `release` gives it up (once). */
export interface FileLock {
  /** The lock file: `<target>.lock`, holding the owner's pid. */
  readonly path: string;
  release(): Promise<void>;
}

/** Lock files this process holds (a second writer in the same process is refused too). */
const held = new Set<string>();

/** Whether a process with this pid is running (EPERM: running, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function ownerOf(lockPath: string): Promise<number | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Creates `path` exclusively with `text` in it; false when it exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx', 0o600);
    await fh.writeFile(text).finally(() => fh.close());
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Takes the single-writer lock of `target` (a file `<target>.lock` created
 * exclusively, holding this pid). A lock whose process is gone (a crash) is
 * taken over; one held by a running process, or already by this one, is
 * refused with LabError('file_locked') naming the pid. Taking over goes
 * through `<target>.lock.takeover`, created exclusively, so two processes
 * restarting at once cannot both take a stale lock.
 *
 * @example
 * const lock = await lockFile('/home/me/.cache/l402-lab/tokens.json', 'token file');
 * try { … } finally { await lock.release(); }
 */
export async function lockFile(target: string, what: string): Promise<FileLock> {
  const lockPath = `${target}.lock`;
  await mkdir(dirname(lockPath), { recursive: true });
  const refuse = (pid: number | undefined): LabError<FileLockErrorCode> =>
    new LabError(
      'file_locked',
      `${what} ${target} is in use by process ${pid ?? '(unknown)'}${pid === process.pid ? ' (this one)' : ''}: ` +
        `only one writer at a time; stop that process or use another file (a lock left by a crash is taken over)`,
    );
  if (held.has(lockPath)) throw refuse(process.pid);
  if (!(await createExclusive(lockPath, `${process.pid}\n`))) {
    const owner = await ownerOf(lockPath);
    if (owner !== undefined && owner !== process.pid && alive(owner)) throw refuse(owner);
    const takeover = `${lockPath}.takeover`;
    if (!(await createExclusive(takeover, `${process.pid}\n`))) throw refuse(owner);
    try {
      // Still the stale owner's? Then it is ours to replace.
      if ((await ownerOf(lockPath)) !== owner) throw refuse(await ownerOf(lockPath));
      await unlink(lockPath).catch(() => {});
      if (!(await createExclusive(lockPath, `${process.pid}\n`))) throw refuse(await ownerOf(lockPath));
    } finally {
      await unlink(takeover).catch(() => {});
    }
  }
  held.add(lockPath);
  return {
    path: lockPath,
    async release() {
      if (!held.delete(lockPath)) return;
      if ((await ownerOf(lockPath)) === process.pid) await unlink(lockPath).catch(() => {});
    },
  };
}
