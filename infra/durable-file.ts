/**
 * Files replaced and removed so that a crash leaves the old file or the new
 * one, never part of one, and never writes through a name someone else chose:
 * the new text goes to a temporary file beside the target, created exclusively
 * under a random name (an existing file or symbolic link of that name fails
 * the write instead of being followed or clobbered), then renamed over it.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How `replaceFile` creates the new file. */
export interface ReplaceFileOptions {
  /** Its mode, less the umask (default 0o666: the umask's default, 0644 under umask 022). */
  mode?: number;
}

/**
 * Replaces `path` with the text (or bytes) of `chunks`: written to a new file beside it
 * (`<path>.tmp-<16 random hex digits>`, created exclusively) one chunk per
 * write (each awaited, so the event loop runs between them), fsynced, renamed
 * over `path`, and the directory fsynced. Returns the bytes written. The
 * directory must exist; a failed write removes the temporary file.
 */
export async function replaceFile(
  path: string,
  chunks: Iterable<string | Uint8Array>,
  { mode = 0o666 }: ReplaceFileOptions = {},
): Promise<number> {
  const tmp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
  const fh = await open(tmp, 'wx', mode);
  let bytes: number;
  try {
    for (const chunk of chunks) await fh.writeFile(chunk);
    await fh.sync();
    bytes = (await fh.stat()).size;
    await fh.close();
    await rename(tmp, path);
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(path));
  return bytes;
}

/** Removes `path` if it exists, durably (the directory fsynced). */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await syncDir(dirname(path));
}

/** Makes the names in `dir` durable: a file created, renamed or removed there survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
