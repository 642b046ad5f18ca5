/**
 * Runs the project's command lines as child processes (node + tsx), the way
 * a user does, for tests that check their output and exit codes.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const started = new Set<ChildProcess>();

/** Kills every CLI `startCli` started that is still running (call it in afterAll). */
export function killStartedClis(): void {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  started.clear();
}

function spawnCli(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
}

/** What a CLI run to its exit printed, and its exit code (null when it was killed). */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` to its exit, killed after `timeoutMs` (default 60 s): its exit code, stdout and stderr. */
export function runCli(script: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  const child = spawnCli(script, args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) =>
    child.on('error', reject).on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** A CLI still running, and what it printed so far. */
export interface StartedCli {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves with the first match of `re` in stdout (or stderr with `stream: 'err'`); rejects if it exits first. */
  waitFor(re: RegExp, stream?: 'out' | 'err'): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
}

/** Starts `script` and leaves it running; `killStartedClis` ends it if the test does not. */
export function startCli(script: string, args: string[]): StartedCli {
  const child = spawnCli(script, args);
  started.add(child);
  const text = { out: '', err: '' };
  child.stdout!.on('data', (d: Buffer) => (text.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text.err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    out: () => text.out,
    err: () => text.err,
    exited: () => exit,
    waitFor: (re, stream = 'out') =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = text[stream].match(re);
          if (m) resolve(m);
          return Boolean(m);
        };
        if (check()) return;
        child[stream === 'out' ? 'stdout' : 'stderr']!.on('data', check);
        void exit.then((code) =>
          check() ? undefined : reject(new Error(`${script} exited ${code}: ${text.err}${text.out}`)),
        );
      }),
  };
}
