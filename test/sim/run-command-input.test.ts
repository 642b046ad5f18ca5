/**
 * What `sim run` (and the commands sharing its scenario loading: validate,
 * sweep, the demo) say about input they cannot use, before anything runs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../sim/commands/run-command.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import { validateCommand } from '../../sim/commands/validate-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { silentLogger } from '../../infra/log.js';
import { parseDemoArgs } from '../../sim/live/demo-args.js';
import { prepareDemo } from '../../sim/live/demo-setup.js';

function buffers(): CommandIo & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    interactive: false,
    now: () => new Date(0),
  };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'run-input-'));
const SHIPPED =
  'quickstart, price-war, resale, policy-benchmark, agent-chain, faults, success-vs-amount, reputation, negotiation, first-proposal-bias';

describe('sim run --out with a file in the way', () => {
  it.each([
    ['a file', (f: string) => f],
    ['a path under a file', (f: string) => join(f, 'run')],
  ])('is refused before the run starts, in the demo words, when --out is %s', async (_what, outOf) => {
    const file = join(tmp(), 'some.yaml');
    writeFileSync(file, 'keep me\n');
    const out = outOf(file);
    const io = buffers();
    await expect(runCommand(['quickstart', '--out', out], io)).rejects.toMatchObject({
      code: 'bad_out_dir',
      message: `--out ${out} is not a directory (a file is in the way); pass --out DIR, a directory that exists or can be created`,
    });
    expect(io.lines).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });
});

describe('sim sweep --out with a file in the way', () => {
  it.each([
    ['a file', (f: string) => f],
    ['a path under a file', (f: string) => join(f, 'sweep')],
  ])('is refused before any run, in the same words, when --out is %s', async (_what, outOf) => {
    const file = join(tmp(), 'some.yaml');
    writeFileSync(file, 'keep me\n');
    const out = outOf(file);
    const io = buffers();
    await expect(
      sweepCommand(['quickstart', '--grid', 'durationSec=2,3', '--workers', '0', '--out', out], io),
    ).rejects.toMatchObject({
      code: 'bad_out_dir',
      message: `--out ${out} is not a directory (a file is in the way); pass --out DIR, a directory that exists or can be created`,
    });
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });
});

describe('sim run with more than one scenario', () => {
  it('says how many it got and which, with the npm start hint for quickstart and one more', async () => {
    await expect(runCommand(['quickstart', 'extra'], buffers())).rejects.toMatchObject({
      code: 'usage',
      message:
        'expected one scenario name or file, got 2 (quickstart, extra) (npm start runs quickstart only; for another scenario: npm run sim -- run extra); run with --help for the options',
    });
  });

  it('says how many it got and which, without the hint otherwise', async () => {
    await expect(runCommand(['price-war', 'resale', 'x'], buffers())).rejects.toMatchObject({
      code: 'usage',
      message:
        'expected one scenario name or file, got 3 (price-war, resale, x); run with --help for the options',
    });
  });
});

describe('a scenario name one typo away from a shipped one', () => {
  const message = `scenario not found\n  no file "quickstrt" (did you mean "quickstart"?); shipped scenarios: ${SHIPPED}`;

  it.each([
    ['run', () => runCommand(['quickstrt'], buffers())],
    ['validate', () => validateCommand(['quickstrt'], buffers())],
    ['sweep', () => sweepCommand(['quickstrt'], buffers())],
    ['the demo', () => prepareDemo(parseDemoArgs(['quickstrt']), silentLogger)],
  ])('%s says which one it may mean', async (_command, run) => {
    await expect(run()).rejects.toMatchObject({ code: 'not_found', message });
  });

  it('a name close to none gets no guess', async () => {
    await expect(runCommand(['zzzzzz'], buffers())).rejects.toMatchObject({
      message: `scenario not found\n  no file "zzzzzz"; shipped scenarios: ${SHIPPED}`,
    });
  });
});

describe("scenario errors in the scenario's words, not zod's", () => {
  it('a --set list entry without a required key says to add it', async () => {
    const entry =
      'buyers[2]={name: x, budgetMsat: 1000, arrivals: {process: poisson, ratePerMin: 1}, tasks: [{capability: "anomalies:read", calls: 1, value: {dist: fixed, msat: 100}}]}';
    await expect(runCommand(['quickstart', '--set', entry], buffers())).rejects.toMatchObject({
      code: 'invalid_scenario',
      issues: [{ path: 'buyers[2].policy', message: 'required: add policy' }],
    });
  });

  it('a --grid value of the wrong type says what was expected and what was given', async () => {
    const grid = ['--grid', 'sellers[0].pricing.stepMsat=abc,1', '--seeds', '1'];
    await expect(
      sweepCommand(['price-war', ...grid, '--out', join(tmp(), 'sweep')], buffers()),
    ).rejects.toMatchObject({
      code: 'invalid_scenario',
      issues: [
        { path: '', message: 'at grid point 0 (sellers[0].pricing.stepMsat=abc); no run was started:' },
        { path: 'sellers[0].pricing.stepMsat', message: 'expected a number, got "abc"' },
      ],
    });
  });
});
