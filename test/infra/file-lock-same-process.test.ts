import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFile, processStartTime, type FileLock } from '../../infra/file-lock.js';

/** A fresh target file path in its own directory. */
async function target(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-lock-same-'));
  return { dir, path: join(dir, 'tokens.json') };
}

/** The pid of a process that has exited (a child run to its end). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (!pid) throw new Error('could not start a child process');
  return pid;
}

/** What this process writes in a lock file it holds. */
async function ownText(): Promise<string> {
  const start = await processStartTime(process.pid);
  return `${process.pid}${start ? ` ${start}` : ''}\n`;
}

const busyHere = {
  code: 'file_locked',
  message: expect.stringContaining(`is in use by process ${process.pid} (this one)`),
};

/** Runs the calls at once; the locks taken and the refusals. */
async function race(calls: Promise<FileLock>[]): Promise<{ locks: FileLock[]; refused: unknown[] }> {
  const settled = await Promise.allSettled(calls);
  const locks = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  return { locks, refused };
}

describe('single-writer file lock: two writers in one process', () => {
  it('of two lockFile calls at once on one path, exactly one holds it and the other is refused as busy by this process', async () => {
    const { dir, path } = await target();
    const { locks, refused } = await race([lockFile(path, 'token file'), lockFile(path, 'token file')]);
    expect(locks).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject(busyHere);
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(await ownText());
    await locks[0]?.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('of five lockFile calls at once on a lock left by a dead process, exactly one takes it over', async () => {
    const { dir, path } = await target();
    await writeFile(`${path}.lock`, `${deadPid()}\n`);
    const calls = Array.from({ length: 5 }, () => lockFile(path, 'token file'));
    const { locks, refused } = await race(calls);
    expect(locks).toHaveLength(1);
    expect(refused).toHaveLength(4);
    for (const err of refused) expect(err).toMatchObject({ code: 'file_locked' });
    expect(await readdir(dir)).toEqual(['tokens.json.lock']);
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(await ownText());
    await locks[0]?.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a lock held through a symlinked directory refuses the same file named through its real directory', async () => {
    const { dir } = await target();
    await mkdir(join(dir, 'real'));
    await symlink(join(dir, 'real'), join(dir, 'link'));
    const lock = await lockFile(join(dir, 'link', 'tokens.json'), 'token file');
    await expect(lockFile(join(dir, 'real', 'tokens.json'), 'token file')).rejects.toMatchObject(busyHere);
    await lock.release();
    expect(await readdir(join(dir, 'real'))).toEqual([]);
  });

  it('a lock held by its absolute path refuses the same file named by a relative path', async () => {
    const { dir, path } = await target();
    const lock = await lockFile(path, 'token file');
    await expect(lockFile(relative(process.cwd(), path), 'token file')).rejects.toMatchObject(busyHere);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it.runIf(existsSync('/proc/self/stat'))(
    "takes over a lock file of this process's pid and start time that no lock object here holds (never released)",
    async () => {
      const { dir, path } = await target();
      await writeFile(`${path}.lock`, await ownText());
      const lock = await lockFile(path, 'token file');
      expect(await readFile(`${path}.lock`, 'utf8')).toBe(await ownText());
      await expect(lockFile(path, 'token file')).rejects.toMatchObject(busyHere);
      await lock.release();
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('takes over a lock file holding only this pid (an earlier run with the same pid) that no lock object here holds', async () => {
    const { path } = await target();
    await writeFile(`${path}.lock`, `${process.pid}\n`);
    const lock = await lockFile(path, 'token file');
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(await ownText());
    await lock.release();
  });

  it('a lock taken while another lock object of this process releases it is refused as busy here or keeps its lock file (50 rounds)', async () => {
    const { dir, path } = await target();
    for (let round = 0; round < 50; round++) {
      const old = await lockFile(path, 'token file');
      const [, next] = await Promise.allSettled([old.release(), lockFile(path, 'token file')]);
      if (next.status === 'rejected') expect(next.reason).toMatchObject(busyHere);
      else {
        expect(await readFile(`${path}.lock`, 'utf8')).toBe(await ownText());
        await expect(lockFile(path, 'token file')).rejects.toMatchObject(busyHere);
        await next.value.release();
      }
      expect(await readdir(dir)).toEqual([]);
    }
  });

  it.runIf(existsSync('/proc/self/stat'))(
    "clears a takeover file of this process's pid that no lock object here is taking, and takes the stale lock",
    async () => {
      const { dir, path } = await target();
      await writeFile(`${path}.lock`, `${deadPid()}\n`);
      await writeFile(`${path}.lock.takeover`, await ownText());
      const lock = await lockFile(path, 'token file');
      expect(await readdir(dir)).toEqual(['tokens.json.lock']);
      expect(await readFile(`${path}.lock`, 'utf8')).toBe(await ownText());
      await lock.release();
      expect(await readdir(dir)).toEqual([]);
    },
  );
});
