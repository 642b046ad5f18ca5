/**
 * Files only this process's user may change (and, for secrets, read), kept in
 * directories only that user may change: the token file, the budget book, a
 * seller's root key and quota counters. Whoever may create names in such a
 * directory could plant a symbolic link where the file is about to be written,
 * or a file of their choosing where it is read; so a directory that is not the
 * user's own, or that group or others may write, is refused, a file is read
 * without following a symbolic link and only when it is the user's own, and a
 * file is replaced through a temporary file created exclusively (never an
 * existing file or link), under a random name.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { replaceFile } from './durable-file.js';
import { LabError } from './errors.js';

/** Codes of private file errors. */
export type PrivateFileErrorCode = 'unsafe_directory' | 'unsafe_file' | 'unusable_directory';

/**
 * A directory that cannot be made, or a path that is not a directory: `dir`
 * as given and `why` (`a file is there`), for a caller that names the
 * directory its own way (a CLI, by its flag).
 */
export class UnusableDirectoryError extends LabError<'unusable_directory'> {
  constructor(
    readonly dir: string,
    readonly why: string,
    what: string,
    cause?: unknown,
  ) {
    super(
      'unusable_directory',
      `${what} ${dir} is not a directory you can use (${why}); give a directory of your own`,
      { cause },
    );
  }
}

/** What a private file holds, for the checks and the messages of `readPrivateFile`. */
export interface PrivateFileUse {
  /** 'secret': group and others may neither read nor write it (mode 0600); 'owned': they may not write it. */
  access: 'secret' | 'owned';
  /** What others' access would let them do: "whoever reads it can mint this seller's tokens". */
  risk: string;
  /** What to do if others did use it, said after the fix: "and if others did read it, …". */
  ifUsed?: string;
  /**
   * Given: a mode too open is narrowed on the open file instead (fchmod to
   * 0600, or without the group and others write bits), before anything is
   * read, and this hears what was done (and the mode it had), to warn. Not
   * given: it is refused.
   */
  narrowed?: (message: string, formerMode: number) => void;
}

/** This process's uid; undefined where the OS has none (Windows: no owner or mode checks there). */
const ownUid = (): number | undefined => process.getuid?.();

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * Makes `dir` (mode 0700, and so every parent it creates) unless it exists,
 * then refuses it, LabError('unsafe_directory') naming it (`what` says what
 * it keeps: "token file directory") and the fix, when it is a symbolic link,
 * not owned by this process's uid, or writable by group or others (its mode
 * & 0o022). One that cannot be made (a file in its path, no permission, a
 * file system that takes no directory there) or that is not a directory is
 * an `UnusableDirectoryError`.
 */
export async function ensurePrivateDir(dir: string, what: string): Promise<void> {
  await makeDirs(dir).catch((err: unknown) => {
    throw new UnusableDirectoryError(dir, whyNotMade(err as NodeJS.ErrnoException), what, err);
  });
  const st = await lstat(dir);
  const refuse = (why: string) =>
    new LabError<PrivateFileErrorCode>('unsafe_directory', `${what} ${dir} ${why}`);
  if (st.isSymbolicLink()) {
    const target = await realpath(dir).catch(() => 'nothing there');
    throw refuse(
      `is a symbolic link (to ${target}): whoever may change the link chooses where the files kept in it go; ` +
        'give the directory itself, or another directory of your own',
    );
  }
  if (!st.isDirectory())
    throw new UnusableDirectoryError(dir, st.isFile() ? 'a file is there' : 'it is not a directory', what);
  const uid = ownUid();
  if (uid === undefined) return;
  if (st.uid !== uid)
    throw refuse(
      `belongs to uid ${st.uid}, not to uid ${uid} this process runs as: its owner can replace the files kept in it; ` +
        `use a directory of your own (or, if it is yours, run chown ${uid} ${dir})`,
    );
  if ((st.mode & 0o022) !== 0)
    throw refuse(
      `has mode ${octal(st.mode)}: others than its owner may create and replace files in it; ` +
        `run chmod go-w ${dir}, or use a directory of your own`,
    );
}

/**
 * Makes `dir` and each missing parent, mode 0700, one at a time: Node 20's
 * `mkdir(…, { recursive: true })` never returns where a parent exists but
 * takes no new entry (`/proc/x`), and each step here is one system call.
 * A `dir` that exists (as anything) is left for the caller to check.
 */
async function makeDirs(dir: string): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
  }
  await makeDirs(dirname(dir));
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
}

/** Why `mkdir` failed, in words (`a file is in its path`); the system's message for a code not listed. */
function whyNotMade(err: NodeJS.ErrnoException): string {
  const at = err.path === undefined ? 'there' : `in ${dirname(err.path)}`;
  if (err.code === 'ENOTDIR') return 'a file is in its path';
  if (err.code === 'ENOENT') return `no directory can be created ${at}`;
  if (err.code === 'EACCES' || err.code === 'EPERM') return `no permission to create a directory ${at}`;
  if (err.code === 'EROFS') return `the file system ${at} is read-only`;
  return err.message;
}

/**
 * The text of `path`, or undefined when there is none. The file is opened
 * without following a symbolic link (O_NOFOLLOW) and refused,
 * LabError('unsafe_file') naming it and the fix, when it is a link, not a
 * regular file, or not owned by this process's uid; one open to group or
 * others beyond what `use.access` allows is refused too, or narrowed when
 * `use.narrowed` is given.
 */
export async function readPrivateFile(path: string, use: PrivateFileUse): Promise<string | undefined> {
  let fh: FileHandle;
  try {
    // O_NONBLOCK: a FIFO planted there opens at once (and is refused below) instead of hanging.
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP' || code === 'EMLINK')
      throw unsafeFile(
        `${path} is a symbolic link: whoever may change the link chooses the file read and written here, ` +
          `and ${use.risk}; replace the link with the file itself`,
      );
    throw err;
  }
  try {
    await checkFile(path, fh, use);
    return await fh.readFile('utf8');
  } finally {
    await fh.close();
  }
}

async function checkFile(path: string, fh: FileHandle, use: PrivateFileUse): Promise<void> {
  const st = await fh.stat();
  const ifUsed = use.ifUsed ? ` (${use.ifUsed})` : '';
  if (!st.isFile()) throw unsafeFile(`${path} is not a regular file: move it away, or give another path`);
  const uid = ownUid();
  if (uid === undefined) return;
  if (st.uid !== uid)
    throw unsafeFile(
      `${path} belongs to uid ${st.uid}, not to uid ${uid} this process runs as: that user may have written or read it, ` +
        `and ${use.risk}; if it is yours, run chown ${uid} ${path}, otherwise remove it${ifUsed}`,
    );
  const secret = use.access === 'secret';
  const loose = st.mode & (secret ? 0o077 : 0o022);
  if (loose === 0) return;
  const others = (may: string) =>
    `others than its owner ${may} ${secret ? 'use' : 'change'} it, and ${use.risk}`;
  if (!use.narrowed)
    throw unsafeFile(
      `${path} has mode ${octal(st.mode)}: ${others('may')}; run chmod ${secret ? '600' : 'go-w'} ${path}${ifUsed}`,
    );
  const mode = st.mode & 0o777 & ~loose;
  await fh.chmod(mode);
  use.narrowed(
    `${path} had mode ${octal(st.mode)}: ${others('could')}; it is ${octal(mode)} now${ifUsed}`,
    st.mode & 0o777,
  );
}

const unsafeFile = (message: string) => new LabError<PrivateFileErrorCode>('unsafe_file', message);

/**
 * Replaces `path` with the text of `chunks`, mode 0600, as `replaceFile`
 * (infra/durable-file.ts) does: through a new file beside it created
 * exclusively under a random name (an existing file or symbolic link of that
 * name fails the write instead of being followed), fsynced, renamed over
 * `path`, the directory fsynced. Returns the bytes written.
 */
export function replacePrivateFile(path: string, chunks: Iterable<string>): Promise<number> {
  return replaceFile(path, chunks, { mode: 0o600 });
}
