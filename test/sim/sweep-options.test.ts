/** `sim sweep`'s numeric options, its --grid values, and errors naming where a sweep's size came from. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepFailure } from './sweep-failure.js';
import { resolveScenarioPath } from '../../sim/scenario/load.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';

const tmpOut = () => join(mkdtempSync(join(tmpdir(), 'sweep-options-')), 'out');
const short = ['--set', 'durationSec=5', '--set', 'drainSec=5', '--out', tmpOut()];

const failure = sweepFailure;

/** A copy of quickstart with `sweep` appended as its sweep section. */
function withSweep(sweep: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sweep-options-file-')), 'sized.yaml');
  writeFileSync(file, `${readFileSync(resolveScenarioPath('quickstart'), 'utf8')}sweep:\n${sweep}\n`);
  return file;
}

describe('--workers and --seeds', () => {
  it('refuses more than 256 workers, saying why (each thread loads the code base; all start at once)', async () => {
    const r = await failure(['quickstart', '--grid', 'durationSec=5', '--workers', '257', ...short]);
    expect(r.code).toBe(2);
    expect(r.text).toMatch(
      /^--workers 257: at most 256 worker threads, since each loads the whole code base and may hold a large market, and all start at once \(this machine has \d+ cores\); give --workers 256 or fewer, or spread the sweep over machines with --queue; run with --help for the options$/,
    );
  });

  it('refuses a --workers beyond a safe integer (it printed "on 1e+23 workers")', async () => {
    const big = '99999999999999999999999';
    expect(await failure(['quickstart', '--grid', 'durationSec=5', '--workers', big, ...short])).toEqual({
      code: 2,
      text: `--workers must be an integer 0..9007199254740991, got "${big}"; run with --help for the options`,
    });
  });

  it('refuses a --seeds that is not a safe whole number of at least 1, with the shared message', async () => {
    const bounds = {
      '99999999999999999999': '1..9007199254740991',
      '0': 'of at least 1',
      '1.5': 'of at least 1',
    };
    for (const [seeds, bound] of Object.entries(bounds))
      expect(await failure(['quickstart', '--grid', 'durationSec=5', '--seeds', seeds, ...short])).toEqual({
        code: 2,
        text: `--seeds must be an integer ${bound}, got "${seeds}"; run with --help for the options`,
      });
  });
});

describe('sweep size errors name where the value came from', () => {
  it('blames the file’s sweep.seeds, not a --seeds the user did not give', async () => {
    const file = withSweep('  seeds: 5000\n  grid: { durationSec: [5] }');
    expect(await failure([file, ...short])).toEqual({
      code: 2,
      text: `sweep.seeds: 5000 in ${file}: a sweep runs 1 to 1,000 seeds per grid point; set sweep.seeds to 1000 or fewer in the file, or give --seeds N`,
    });
  });

  it('blames the file’s sweep.grid for a seed axis', async () => {
    const file = withSweep('  grid: { seed: [1, 2] }');
    expect(await failure([file, ...short])).toEqual({
      code: 2,
      text: `sweep.grid.seed in ${file}: a sweep runs seeds 1..N at every grid point, so the seed cannot be a grid axis; remove it from the file's sweep.grid and set sweep.seeds (or give --seeds N)`,
    });
  });

  it('says which part of too many runs came from the file', async () => {
    const values = Array.from({ length: 101 }, (_, i) => i + 5).join(', ');
    const file = withSweep(`  grid: { durationSec: [${values}] }`);
    expect(await failure([file, '--seeds', '1000', ...short])).toEqual({
      code: 2,
      text: `this sweep has 101 grid points × 1000 seeds = 101,000 runs (grid from sweep.grid in ${file}, seeds from --seeds), more than the 100,000 one sweep merges (it keeps a digest of every run in memory until they are merged); use fewer grid values or seeds, or split it into several sweeps`,
    });
  });
});

describe('--grid values', () => {
  it('keeps a comma inside single or double quotes in one value', () => {
    expect(parseGridArgs(["description='a,b',c", 'x="p,\\"q",r', "y=it's,{a: 'm,n'}"])).toEqual([
      { path: 'description', values: ['a,b', 'c'] },
      { path: 'x', values: ['p,"q', 'r'] },
      { path: 'y', values: ["it's", { a: 'm,n' }] },
    ]);
  });

  it('refuses a value YAML cannot parse, naming the axis and the value, instead of running it as raw text', async () => {
    expect(await failure(['quickstart', '--grid', "description=ok,'unterminated", ...short])).toEqual({
      code: 2,
      text: `--grid description: value 2 ('unterminated) is not valid YAML: Missing closing 'quote; close its quotes or brackets (text holding a comma goes in quotes: --grid "description='a,b',c"); run with --help for the options`,
    });
  });
});
