/**
 * Stopping `npm run <service>` stops the service. npm forwards SIGTERM to the
 * shell running the script; the scripts `exec` their program, so the signal
 * reaches the service itself (a plain `tsx …` left it running, orphaned, with
 * its port open).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const children: ChildProcess[] = [];
const runs = mkdtempSync(join(tmpdir(), 'npm-stop-'));
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(runs, { recursive: true, force: true });
});

/** Runs `npm run <script> -- …args` and resolves with the port of the first `http://127.0.0.1:PORT` it prints. */
function startNpm(script: string, args: string[]): Promise<{ npm: ChildProcess; port: number }> {
  const npm = spawn('npm', ['run', '--silent', script, '--', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  children.push(npm);
  return new Promise((resolve, reject) => {
    let printed = '';
    npm.stdout!.on('data', (d: Buffer) => {
      printed += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(printed);
      if (m) resolve({ npm, port: Number(m[1]) });
    });
    npm.stderr!.on('data', (d: Buffer) => (printed += d.toString()));
    npm.on('exit', (code) => reject(new Error(`npm run ${script} exited ${code}: ${printed}`)));
  });
}

/** True while something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** Polls until the port is closed, or `ms` passed. */
async function closedWithin(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!(await listening(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('SIGTERM to npm stops the service it runs', () => {
  it.each([
    ['seller', ['--archetype', 'data-feed', '--port', '0']],
    ['registry', ['--port', '0', '--probe-interval-ms', '0']],
    ['demo', ['--port', '0', '--out', join(runs, 'demo')]],
  ])(
    'npm run %s: the port closes after npm gets SIGTERM',
    async (script, args) => {
      const { npm, port } = await startNpm(script, args);
      expect(await listening(port)).toBe(true);

      npm.kill('SIGTERM');

      expect(await closedWithin(port, 10_000)).toBe(true);
    },
    60_000,
  );
});
