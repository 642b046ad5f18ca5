import { mkdir, open, readFile, realpath, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LabError } from './errors.js';

/** Codes of `lockFile` errors. */
export type FileLockErrorCode = 'file_locked';

/** A held single-writer lock; `release` gives it up (once: every call resolves when the lock file is gone). */
export interface FileLock {
  /** The lock file: `<target>.lock`, holding the owner's pid and start time. */
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Lock files this process holds or is taking, by real path (a second writer in the same process
 * is refused too, whatever path names the file): a lock file with this pid is stale only when
 * it is not in here.
 */
const held = new Set<string>();

/** The lock file's path with its directory's symlinks resolved (the directory exists). */
async function realLockPath(lockPath: string): Promise<string> {
  return join(await realpath(dirname(lockPath)), basename(lockPath));
}

/** Whether a process with this pid is running (EPERM: running, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When the process `pid` started, in clock ticks since boot (field 22 of
 * `/proc/<pid>/stat`), or undefined where there is no /proc or no such
 * process. A pid is reused; a pid with its start time names one process.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const rest = stat
    ?.slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  const start = rest?.[22 - 3];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/** Who wrote a lock file: `<pid> <start time>` (older files hold the pid alone). */
interface Owner {
  pid: number;
  start?: string;
}

async function ownerOf(lockPath: string): Promise<Owner | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const [pidText, start] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return start !== undefined && /^\d+$/.test(start) ? { pid, start } : { pid };
}

/**
 * Whether the lock's writer still runs: its pid is alive and, when the lock
 * recorded a start time and /proc can tell, that pid started at that time
 * (otherwise the pid was reused by another process and the lock is stale).
 */
async function running(o: Owner): Promise<boolean> {
  if (!alive(o.pid)) return false;
  if (o.start === undefined) return true;
  const now = await processStartTime(o.pid);
  return now === undefined || now === o.start;
}

const sameOwner = (a: Owner | undefined, b: Owner | undefined): boolean =>
  a?.pid === b?.pid && a?.start === b?.start;

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

/** How `lockFile` makes the lock's directory when it is missing. */
export interface LockFileOptions {
  /**
   * The mode of the directories it creates (the lock's and each missing parent), less the umask.
   * Default 0o700, as infra/private-file.ts makes the directories of private files (quota
   * counters, tokens): no one else may list them or create names in them. Files meant to be read
   * by others (a registry's data, a run's `--out`) pass 0o777, the umask's default (0755 under umask 022).
   */
  dirMode?: number;
}

/**
 * Takes the single-writer lock of `target` (a file `<target>.lock` created
 * exclusively, holding this pid and its start time; its directory made,
 * mode `options.dirMode`, when missing). A lock whose process is
 * gone (a crash), or whose pid now belongs to a process that started at
 * another time (the pid was reused), is taken over; one held by a running
 * process, or already by this one (another lock object here, also one taken at
 * the same moment or by another path to the same file), is refused with
 * LabError('file_locked') naming the pid. A lock file with this pid that no lock
 * object of this process holds (left by an earlier process with this pid) is
 * taken over. Taking over goes through `<target>.lock.takeover`, created
 * exclusively, so two processes restarting at once cannot both take a stale
 * lock; a takeover file left by a process that died inside it is cleared.
 *
 * @example
 * const lock = await lockFile('/home/me/.cache/l402-lab/tokens.json', 'token file');
 * try { … } finally { await lock.release(); }
 */
export async function lockFile(
  target: string,
  what: string,
  { dirMode = 0o700 }: LockFileOptions = {},
): Promise<FileLock> {
  const lockPath = `${target}.lock`;
  await mkdir(dirname(lockPath), { recursive: true, mode: dirMode });
  const key = await realLockPath(lockPath);
  const refuse = (owner: Owner | undefined): LabError<FileLockErrorCode> => {
    const pid = owner?.pid;
    return new LabError(
      'file_locked',
      `${what} ${target} is in use by process ${pid ?? '(unknown)'}${pid === process.pid ? ' (this one)' : ''}: ` +
        `only one writer at a time; stop that process or use another file (a lock left by a crash is taken over)`,
    );
  };
  // Checked and claimed with no await between: of two calls at once here, the second is refused.
  if (held.has(key)) throw refuse({ pid: process.pid });
  held.add(key);
  let me: Owner;
  try {
    me = await self();
    await acquire(key, me, refuse);
  } catch (err) {
    held.delete(key);
    throw err;
  }
  let released: Promise<void> | undefined;
  const release = async () => {
    try {
      if (sameOwner(await ownerOf(key), me)) await unlink(key).catch(() => {});
    } finally {
      // Only once the file is gone: a lockFile meanwhile is refused, never takes the file this removes.
      held.delete(key);
    }
  };
  // Every call waits for the one release: a second caller never goes on while the file is still there.
  return { path: lockPath, release: () => (released ??= release()) };
}

/**
 * Creates the lock file `lockPath` for `me`, taking over a stale one; throws `refuse(holder)`.
 * The caller has claimed `lockPath` in `held`, so a lock file with this pid is no lock object's.
 */
async function acquire(
  lockPath: string,
  me: Owner,
  refuse: (owner: Owner | undefined) => LabError<FileLockErrorCode>,
): Promise<void> {
  const text = `${me.pid}${me.start ? ` ${me.start}` : ''}\n`;
  if (await createExclusive(lockPath, text)) return;
  const owner = await ownerOf(lockPath);
  if (owner !== undefined && owner.pid !== process.pid && (await running(owner))) throw refuse(owner);
  const takeover = `${lockPath}.takeover`;
  if (!(await enterTakeover(takeover, text))) throw refuse(owner);
  try {
    // Still the stale owner's? Then it is ours to replace.
    if (!sameOwner(await ownerOf(lockPath), owner)) throw refuse(await ownerOf(lockPath));
    await unlink(lockPath).catch(() => {});
    if (!(await createExclusive(lockPath, text))) throw refuse(await ownerOf(lockPath));
  } finally {
    await unlink(takeover).catch(() => {});
  }
}

/** This process as a lock owner (its start time read once). */
let selfOwner: Promise<Owner> | undefined;
function self(): Promise<Owner> {
  selfOwner ??= processStartTime(process.pid).then((start) =>
    start ? { pid: process.pid, start } : { pid: process.pid },
  );
  return selfOwner;
}

/**
 * Creates the takeover file; a stale one (its writer died inside the takeover) is cleared once first.
 * One with this pid is stale too: only the call that claimed the lock in `held` takes it over here.
 */
async function enterTakeover(takeover: string, text: string): Promise<boolean> {
  if (await createExclusive(takeover, text)) return true;
  const writer = await ownerOf(takeover);
  if (writer === undefined || (writer.pid !== process.pid && (await running(writer)))) return false;
  await unlink(takeover).catch(() => {});
  return createExclusive(takeover, text);
}
