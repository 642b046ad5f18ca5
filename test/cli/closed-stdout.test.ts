/**
 * A command piped into a reader that stops early (`npm run sim -- --help |
 * head -1`) finishes as it would have, exit code and all, instead of dying
 * on EPIPE with a stack trace: each CLI runs with its stdout pipe already
 * closed by the reader.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const out = mkdtempSync(join(tmpdir(), 'closed-stdout-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs `script args` with the reading end of its stdout closed before it writes anything. */
function runWithClosedStdout(script: string, args: string[]): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve, reject) =>
    child.on('error', reject).on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

describe.concurrent('every CLI outlives a reader that closed its stdout', () => {
  it.each([
    ['sim/cli.ts', ['--help']],
    ['sim/live/cli.ts', ['--help']],
    ['agents/cli.ts', ['--help']],
    ['services/sellers/cli.ts', ['--help']],
    ['services/registry/cli.ts', ['--help']],
    ['infra/regtest/cli.ts', ['--help']],
  ])(
    '%s %s exits 0 with nothing on stderr',
    async (script, args) => {
      expect(await runWithClosedStdout(script, args)).toEqual({ code: 0, stderr: '' });
    },
    60_000,
  );

  it('sim run quickstart exits 0, with only its progress line on stderr, and writes its whole report', async () => {
    const run = join(out, 'quickstart');
    const exit = await runWithClosedStdout('sim/cli.ts', ['run', 'quickstart', '--out', run, '--no-png']);
    expect(exit).toEqual({
      code: 0,
      stderr: 'running quickstart (seed 1, embedded): 60 s of market time…\n',
    });
    expect(
      ['summary.json', 'purchases.csv', 'events.jsonl', 'report.html'].filter(
        (f) => !existsSync(join(run, f)),
      ),
    ).toEqual([]);
  }, 120_000);
});
