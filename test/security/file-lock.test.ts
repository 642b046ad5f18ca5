import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockFile, processStartTime } from '../../infra/file-lock.js';

/** A fresh target file path in its own directory. */
async function target(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-lock-'));
  return { dir, path: join(dir, 'tokens.json') };
}

/** The pid of a process that has exited (a child run to its end). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (!pid) throw new Error('could not start a child process');
  return pid;
}

// The parent of this test process is running for the whole test.
const livePid = process.ppid;

describe.runIf(existsSync('/proc/self/stat'))('single-writer file lock: who holds a stale lock', () => {
  it('writes its pid and start time, and refuses a second writer naming that pid', async () => {
    const { path } = await target();
    const lock = await lockFile(path, 'token file');
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(
      `${process.pid} ${await processStartTime(process.pid)}\n`,
    );
    await expect(lockFile(path, 'token file')).rejects.toMatchObject({
      code: 'file_locked',
      message: expect.stringContaining(`is in use by process ${process.pid} (this one)`),
    });
    await lock.release();
  });

  it('refuses a lock whose running process started when the lock says', async () => {
    const { path } = await target();
    await writeFile(`${path}.lock`, `${livePid} ${await processStartTime(livePid)}\n`);
    await expect(lockFile(path, 'token file')).rejects.toMatchObject({
      code: 'file_locked',
      message: expect.stringContaining(`token file ${path} is in use by process ${livePid}:`),
    });
  });

  it('takes over a lock whose pid now belongs to a process that started at another time (pid reused)', async () => {
    const { path } = await target();
    await writeFile(`${path}.lock`, `${livePid} 1\n`);
    const lock = await lockFile(path, 'token file');
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(
      `${process.pid} ${await processStartTime(process.pid)}\n`,
    );
    await lock.release();
  });

  it('still refuses an old lock holding only the pid of a running process', async () => {
    const { path } = await target();
    await writeFile(`${path}.lock`, `${livePid}\n`);
    await expect(lockFile(path, 'token file')).rejects.toMatchObject({ code: 'file_locked' });
  });

  it('clears a takeover file left by a process that died inside the takeover, and takes the stale lock', async () => {
    const { dir, path } = await target();
    const dead = deadPid();
    await writeFile(`${path}.lock`, `${dead}\n`);
    await writeFile(`${path}.lock.takeover`, `${dead}\n`);
    const lock = await lockFile(path, 'token file');
    expect(await readdir(dir)).toEqual(['tokens.json.lock']);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses while another running process is inside the takeover', async () => {
    const { path } = await target();
    await writeFile(`${path}.lock`, `${deadPid()}\n`);
    await writeFile(`${path}.lock.takeover`, `${livePid} ${await processStartTime(livePid)}\n`);
    await expect(lockFile(path, 'token file')).rejects.toMatchObject({ code: 'file_locked' });
  });

  it('release leaves a lock that another process has taken since', async () => {
    const { path } = await target();
    const lock = await lockFile(path, 'token file');
    await writeFile(`${path}.lock`, `${livePid} ${await processStartTime(livePid)}\n`);
    await lock.release();
    expect(await readFile(`${path}.lock`, 'utf8')).toBe(`${livePid} ${await processStartTime(livePid)}\n`);
  });
});

describe('single-writer file lock: releasing it twice', () => {
  it('a second release called while the first runs resolves only once the lock file is gone', async () => {
    const { dir, path } = await target();
    const lock = await lockFile(path, 'token file');
    const first = lock.release();
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    await first;
  });

  it('a release called again after the lock was taken anew in this process leaves the new lock', async () => {
    const { dir, path } = await target();
    const old = await lockFile(path, 'token file');
    await old.release();
    const lock = await lockFile(path, 'token file');
    await old.release();
    expect(await readdir(dir)).toEqual(['tokens.json.lock']);
    await expect(lockFile(path, 'token file')).rejects.toMatchObject({ code: 'file_locked' });
    await lock.release();
  });
});
