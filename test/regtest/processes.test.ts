/**
 * Stopping the daemons `network:up` started (processes.ts), on real
 * processes: a daemon whose parent never reaps it stays a zombie once it
 * exits, and `stopProcess` must count it as stopped rather than wait on its
 * pid forever; a wait is always bounded.
 */
import { spawn, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { isAlive, isOurs, stopProcess, waitGone, type ProcessRecord } from '../../infra/regtest/processes.js';

const sleepers: ProcessRecord[] = [];
const parents: number[] = [];
afterAll(() => {
  // A sleeper a failed test left running, then the parents (init reaps their zombies).
  for (const rec of sleepers) if (isOurs(rec)) process.kill(rec.pid, 'SIGKILL');
  for (const pid of parents) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** `sleep 600` as the child of a process that never reaps it (sh exec'd into another sleep). */
async function unreapedSleep(): Promise<ProcessRecord> {
  const script = 'sleep 600 & echo $!; exec sleep 700';
  const parent = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  parents.push(parent.pid!);
  const line = await new Promise<string>((resolve) =>
    parent.stdout.once('data', (d: Buffer) => resolve(String(d))),
  );
  const rec = { name: 'sleeper', pid: Number(line), cmd: 'sleep', args: ['600'], logFile: '/dev/null' };
  sleepers.push(rec);
  // Until the forked shell has exec'd sleep, the pid is not the daemon yet.
  while (!isOurs(rec)) await systemClock.sleep(10);
  return rec;
}

/** A pid that no process has any more. */
function deadPid(): number {
  return spawnSync('true').pid;
}

describe.runIf(process.platform === 'linux')('stopProcess', () => {
  it('a daemon that exits on SIGTERM but is never reaped (a zombie) is stopped, not waited on', async () => {
    const rec = await unreapedSleep();
    const started = Date.now();
    expect(await stopProcess(rec, systemClock, 3_000)).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(2_000);
    // The pid still exists, as a zombie: only /proc tells it from a running daemon.
    expect(isAlive(rec.pid)).toBe(true);
  }, 10_000);

  it('a daemon that is already gone is left alone', async () => {
    const rec = { name: 'gone', pid: deadPid(), cmd: 'true', args: [], logFile: '/dev/null' };
    expect(await stopProcess(rec, systemClock)).toBe('gone');
  });
});

describe.runIf(process.platform === 'linux')('waitGone', () => {
  it('gives up after its limit on a daemon that keeps running', async () => {
    const rec = await unreapedSleep();
    const started = Date.now();
    expect(await waitGone(rec, systemClock, 300, 50)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await stopProcess(rec, systemClock)).toBe('stopped');
  });
});
