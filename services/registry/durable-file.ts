import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `path` with the text of `chunks`: written to `<path>.tmp` one
 * chunk per write (each awaited, so the event loop runs between them),
 * fsynced, renamed over `path`, and the directory fsynced, so a crash leaves
 * the old file or the new one, never part of one. Returns the bytes written.
 */
export async function replaceFile(path: string, chunks: Iterable<string>): Promise<number> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  let bytes: number;
  try {
    for (const chunk of chunks) await fh.writeFile(chunk);
    await fh.sync();
    bytes = (await fh.stat()).size;
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await syncDir(dir);
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
