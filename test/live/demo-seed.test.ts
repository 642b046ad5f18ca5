/** The demo's `--seed` is checked as `sim run`'s is: an exact integer, or text that does not read as a number. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../../sim/live/demo-args.js';
import { runCommand } from '../../sim/commands/run-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { runCli } from '../cli/run-cli.js';

const MORE = 'run with --help for the options';
const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

/** What `sim run --seed <text>` refuses with (its message), or undefined when it would run. */
async function runRefusal(text: string): Promise<string | undefined> {
  // Were the seed accepted, the run would be short and write to a temporary directory.
  const out = join(mkdtempSync(join(tmpdir(), 'demo-seed-')), 'out');
  const args = ['quickstart', '--seed', text, '--set', 'durationSec=1', '--no-png', '--out', out];
  return runCommand(args, io).then(
    () => undefined,
    (err: unknown) => (err as Error).message,
  );
}

describe('npm run demo -- --seed', () => {
  it.each([
    [
      '1.5',
      '--seed 1.5 looks like a number but is not a plain integer (a scenario file reads it as 1.5); give an integer, or, if you meant a text seed, text such as --seed s1.5',
    ],
    [
      '1e3',
      '--seed 1e3 looks like a number but is not a plain integer (a scenario file reads it as 1000); give --seed 1000, or, if you meant a text seed, text such as --seed s1e3',
    ],
    [
      '9007199254740993',
      '--seed 9007199254740993 is not an integer a run can use exactly (at most 9007199254740991 in size); give a smaller integer, or text such as --seed s9007199254740993',
    ],
  ])(
    'refuses --seed %s as a usage error with sim run’s message, pointing to --help',
    async (text, message) => {
      expect(() => parseDemoArgs(['--seed', text])).toThrow(
        expect.objectContaining({ code: 'usage', message: `${message}; ${MORE}` }),
      );
      expect(await runRefusal(text)).toBe(message);
    },
  );

  it('takes a plain integer as a number and other text as a text seed', () => {
    expect(parseDemoArgs(['--seed', '42']).seed).toBe(42);
    expect(parseDemoArgs(['--seed=-7']).seed).toBe(-7);
    expect(parseDemoArgs(['--seed', 'demo-day']).seed).toBe('demo-day');
    expect(parseDemoArgs([]).seed).toBeUndefined();
  });

  it('the command exits 2 on --seed 1.5 with the message, before serving anything', async () => {
    // Were the seed accepted, the demo would serve a market writing to a temporary directory until killed.
    const out = join(mkdtempSync(join(tmpdir(), 'demo-seed-')), 'out');
    const r = await runCli('sim/live/cli.ts', ['--seed', '1.5', '--port', '0', '--out', out], 45_000);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr:
        '--seed 1.5 looks like a number but is not a plain integer (a scenario file reads it as 1.5); give an integer, or, if you meant a text seed, text such as --seed s1.5; run with --help for the options\n',
    });
  }, 60_000);
});
