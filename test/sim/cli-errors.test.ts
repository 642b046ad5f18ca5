import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../sim/commands/run-command.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { reportCommand } from '../../sim/commands/report-command.js';
import { workerCommand } from '../../sim/commands/worker-command.js';
import { failureExit } from '../../sim/commands/failure.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { readMeta, readSummary } from '../../sim/report/read-run.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { listScenarios } from '../../sim/scenario/load.js';
import { runCli } from '../cli/run-cli.js';

const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
const golden = (name: string) => readFileSync(join('test/sim/golden', name), 'utf8');
const cli = (...args: string[]) => runCli('sim/cli.ts', args);

/** A temporary run directory holding `files` (name → text). */
function runDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-cli-errors-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** What a failed command prints through the CLI's error handling, and its exit code. */
async function failure(command: string, run: Promise<unknown>): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const err = await run.then(
    () => expect.unreachable('the command succeeded'),
    (e: unknown) => e,
  );
  const code = failureExit(command, err, (t) => lines.push(t));
  return { code, text: lines.join('\n') };
}

describe('sim report on a run directory whose files a run did not write', () => {
  it('exits 1 without a stack when summary.json is JSON of another shape', async () => {
    const dir = runDir({ 'summary.json': '{"x":1}' });
    const r = await cli('report', dir, '--no-png');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error (bad_run_file): ${dir}/summary.json is not a run summary (missing scenario, description, seed, backend and 18 more); re-run the scenario to write it again\n`,
    );
  }, 60_000);

  it('names the parse error when summary.json is not JSON', async () => {
    const dir = runDir({ 'summary.json': 'garbage{' });
    await expect(reportCommand([dir, '--no-png'], io)).rejects.toMatchObject({
      code: 'bad_run_file',
      message: `${dir}/summary.json is not a run summary (not JSON: Unexpected token 'g', "garbage{" is not valid JSON); re-run the scenario to write it again`,
    });
  });

  it('names the path and the type of a nested field that is wrong, in plain words', () => {
    const summary = JSON.parse(golden('quickstart-seed1.json')) as { groups: { bargain: object } };
    summary.groups.bargain = { ...summary.groups.bargain, latencyCdf: 'x' };
    const dir = runDir({ 'summary.json': JSON.stringify(summary) });
    expect(() => readSummary(dir)).toThrow(
      expect.objectContaining({
        message: `${dir}/summary.json is not a run summary (groups.bargain.latencyCdf: expected a list, got "x"); re-run the scenario to write it again`,
      }),
    );
  });

  it('reads back every golden summary.json unchanged', () => {
    for (const name of readdirSync('test/sim/golden')) {
      const dir = runDir({ 'summary.json': golden(name) });
      expect(readSummary(dir), name).toEqual(JSON.parse(golden(name)));
    }
  });

  it('refuses a meta.json of the wrong shape, saying how to redraw without it', () => {
    const dir = runDir({ 'meta.json': '{"code":{"commit":"abc"},"node":"v20"}' });
    expect(() => readMeta(dir)).toThrow(
      `${dir}/meta.json is not a run's metadata (missing code.dirty, versions); re-run the scenario, or delete meta.json to redraw without provenance`,
    );
  });

  it('draws without provenance from a meta.json written before provenance was recorded', () => {
    expect(readMeta(runDir({ 'meta.json': '{"scenario":"quickstart"}' }))).toBeUndefined();
  });
});

describe('empty option values', () => {
  it.each([
    ['run', runCommand, ['quickstart', '--seed', ''], '--seed'],
    ['run', runCommand, ['quickstart', '--set', 'durationSec=5', '--set', ''], '--set'],
    ['sweep', sweepCommand, ['quickstart', '--queue', ''], '--queue'],
    ['sweep', sweepCommand, ['quickstart', '--out', ''], '--out'],
    ['worker', workerCommand, ['--queue', ''], '--queue'],
  ])('sim %s %j is a usage error naming the empty option', async (_name, command, argv, flag) => {
    await expect(command(argv, io)).rejects.toMatchObject({
      code: 'usage',
      message: `${flag} must not be empty; run with --help for the options`,
    });
  });

  it('an empty scenario or run directory argument is a usage error', async () => {
    await expect(validateCommand([''], io)).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/^expected one scenario name or file\n\nusage: sim validate/),
    });
    await expect(reportCommand([''], io)).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/^expected one run directory\n\nusage: sim report/),
    });
  });

  it('exits 2 on run --seed "" and writes no run directory', async () => {
    const before = existsSync('runs') ? readdirSync('runs') : [];
    const r = await cli('run', 'quickstart', '--seed', '');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('--seed must not be empty; run with --help for the options\n');
    expect(existsSync('runs') ? readdirSync('runs') : []).toEqual(before);
  }, 60_000);
});

describe('scenario errors through the command line', () => {
  it('--set with an index past the end prints one line naming the list, then a hint for --set', async () => {
    const r = await failure('run', runCommand(['quickstart', '--set', 'buyers[99].count=1'], io));
    expect(r).toEqual({
      code: 1,
      text:
        'override cannot be applied\n' +
        '  buyers[99].count: index 99 is out of range: buyers has 2 entries (index 2 adds one)\n\n' +
        'fix the --set value and try again.',
    });
  });

  it.each(['q.txt', 'empty.json'])(
    'a file that exists but is not .yaml or .yml (%s) is named as not YAML',
    async (name) => {
      const file = join(runDir({ [name]: '{}' }), name);
      const r = await failure('validate', validateCommand([file], io));
      expect(r).toEqual({
        code: 1,
        text: `${file}: not a scenario file\n  scenarios are YAML (.yaml or .yml); rename the file to end in .yaml`,
      });
    },
  );

  it.each([
    ['run', runCommand],
    ['sweep', sweepCommand],
    ['validate', validateCommand],
  ] as const)(
    'sim %s of a directory says it is a directory and names the YAML files directly in it, then the shipped scenarios',
    async (name, command) => {
      const dir = runDir({ 'b.yaml': 'name: b', 'a.yml': 'name: a', 'notes.txt': 'x' });
      mkdirSync(join(dir, 'c.yaml'));
      const r = await failure(name, command([dir], io));
      expect(r).toEqual({
        code: 1,
        text:
          `${dir}: not a scenario file\n` +
          `  it is a directory; give a scenario file (YAML files in it: ${dir}/a.yml, ${dir}/b.yaml) or a shipped scenario name: ${listScenarios().join(', ')}`,
      });
    },
  );

  it('a directory with no YAML file in it is named as a directory, with what to give instead', async () => {
    const dir = runDir({ 'notes.txt': 'x' });
    const r = await failure('run', runCommand([dir], io));
    expect(r).toEqual({
      code: 1,
      text:
        `${dir}: not a scenario file\n` +
        `  it is a directory, with no YAML file in it; give a scenario file (.yaml or .yml) or a shipped scenario name: ${listScenarios().join(', ')}`,
    });
  });

  it('a directory of more than 5 YAML files names the first 5 by name, then …', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `${n}.yaml`);
    const dir = runDir(Object.fromEntries(names.map((n) => [n, 'x'])));
    const r = await failure('validate', validateCommand([dir], io));
    const shown = names.slice(0, 5).map((n) => `${dir}/${n}`);
    expect(r.text.split('\n')[1]).toBe(
      `  it is a directory; give a scenario file (YAML files in it: ${shown.join(', ')}, …) or a shipped scenario name: ${listScenarios().join(', ')}`,
    );
  });

  it('sim run <directory> on the command line exits 1 and prints that it is a directory', async () => {
    const dir = runDir({});
    const r = await cli('run', dir);
    expect([r.code, r.stderr]).toEqual([
      1,
      `${dir}: not a scenario file\n` +
        `  it is a directory, with no YAML file in it; give a scenario file (.yaml or .yml) or a shipped scenario name: ${listScenarios().join(', ')}\n`,
    ]);
  }, 60_000);

  it('validate of an unknown name lists the shipped scenarios, with no --set hint', async () => {
    const r = await failure('validate', validateCommand(['nope'], io));
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /^scenario not found\n {2}no file "nope"; shipped scenarios: quickstart, price-war, /,
    );
    expect(r.text).not.toContain('--set');
  });

  it('fits the hint for an invalid file to the command: validate, run (--set), sweep (--set or --grid)', () => {
    const err = new ScenarioError('invalid_scenario', [
      { path: 'durationSec', message: 'expected a positive number' },
    ]);
    const hint = (command: string) => {
      const lines: string[] = [];
      expect(failureExit(command, err, (t) => lines.push(t))).toBe(1);
      return lines.join('\n').split('\n\n')[1];
    };
    expect(hint('validate')).toBe('fix the file and try again.');
    expect(hint('run')).toBe(
      'fix the file (or the --set value) and try again; `npm run sim -- validate <file>` checks without running.',
    );
    expect(hint('sweep')).toBe(
      'fix the file (or the --set or --grid value) and try again; `npm run sim -- validate <file>` checks without running.',
    );
  });
});

describe('malformed --set and --grid', () => {
  it('exits 2 on run --set foo, naming the flag and the form KEY=VALUE', async () => {
    const r = await cli('run', 'quickstart', '--set', 'foo');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('--set foo: expected KEY=VALUE, e.g. --set durationSec=30\n');
  }, 60_000);

  it.each([['foo'], ['durationSec=']])(
    'sweep --grid %s is a usage error naming the form KEY=V1,V2',
    async (arg) => {
      const r = await failure('sweep', sweepCommand(['quickstart', '--grid', arg], io));
      expect(r).toEqual({
        code: 2,
        text: `--grid ${arg}: expected KEY=V1,V2, e.g. --grid 'buyers[0].decider.name=cheapest,random'`,
      });
    },
  );

  it('refuses a --grid path that is not a dotted path', () => {
    expect(() => parseGridArgs(['a..b=1,2'])).toThrow(
      '--grid a..b=1,2: "a..b" is not a dotted path such as buyers[0].budgetMsat',
    );
  });
});

describe('npm start with a scenario name', () => {
  it('says npm start runs quickstart and how to run the other scenario', async () => {
    const r = await failure('run', runCommand(['quickstart', 'price-war'], io));
    expect(r).toEqual({
      code: 2,
      text: 'expected one scenario name or file, got 2 (quickstart, price-war) (npm start runs quickstart only; for another scenario: npm run sim -- run price-war); run with --help for the options',
    });
  });
});
