import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Clock } from '../time/clock.js';
import { LabError } from '../errors.js';

/** A daemon we started: enough to find it again, stop it, or start it the same way. */
export interface ProcessRecord {
  name: string;
  pid: number;
  cmd: string;
  args: string[];
  logFile: string;
}

/**
 * Starts a daemon in its own session (it outlives this process: `network:up`
 * returns and `network:down` stops it later), output appended to `logFile`.
 */
export function spawnDaemon(name: string, cmd: string, args: string[], logFile: string): ProcessRecord {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    child.unref();
    return { name, pid: child.pid, cmd, args, logFile };
  } finally {
    closeSync(fd);
  }
}

/** True when a process with this pid exists (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `rec.pid` is still the program we started (not a recycled pid).
 * Linux: /proc/<pid>/cmdline; elsewhere we trust the pid.
 */
export function isOurs(rec: ProcessRecord): boolean {
  if (!isAlive(rec.pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8');
    return cmdline.split('\0')[0] === rec.cmd;
  } catch {
    return process.platform !== 'linux';
  }
}

/** How long a daemon may take to go after SIGKILL before `stopProcess` gives up on it. */
export const KILL_WAIT_MS = 10_000;

/**
 * Stops one daemon: SIGTERM, wait up to `graceMs`, then SIGKILL and wait up to
 * `KILL_WAIT_MS`. Only touches the pid if it still runs the command we
 * recorded; a daemon that exited but was not reaped yet (a zombie) counts as
 * gone. One that outlives SIGKILL is an error naming its pid.
 */
export async function stopProcess(
  rec: ProcessRecord,
  clock: Clock,
  graceMs = 15_000,
): Promise<'stopped' | 'killed' | 'gone'> {
  if (!isOurs(rec)) return 'gone';
  signal(rec.pid, 'SIGTERM');
  if (await waitGone(rec, clock, graceMs, 100)) return 'stopped';
  signal(rec.pid, 'SIGKILL');
  if (await waitGone(rec, clock, KILL_WAIT_MS, 50)) return 'killed';
  throw new LabError(
    'stop_failed',
    `pid ${rec.pid} (${rec.name}) did not exit ${KILL_WAIT_MS / 1000} s after SIGKILL; ` +
      `look at it with \`ps -o stat,cmd -p ${rec.pid}\` (state D: stuck in the kernel) and stop it by hand`,
  );
}

/** True once `rec` no longer runs (exited, or a zombie: /proc cmdline empty), polling every `pollMs` up to `ms`. */
export async function waitGone(
  rec: ProcessRecord,
  clock: Clock,
  ms: number,
  pollMs: number,
): Promise<boolean> {
  const until = clock.now() + ms;
  for (;;) {
    if (!isOurs(rec)) return true;
    if (clock.now() >= until) return false;
    await clock.sleep(pollMs);
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/** The last `lines` lines of a daemon's log, for error messages. */
export async function logTail(logFile: string, lines = 15): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Asks the OS for `n` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    return addr.port;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
