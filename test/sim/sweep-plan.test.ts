/** What a sweep refuses before any run starts: its size, its grid paths, an invalid grid point. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepFailure } from './sweep-failure.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { checkSweep } from '../../sim/sweep/plan.js';

// Were a sweep not refused, it would be short and write to a temporary directory.
const tmpOut = () => join(mkdtempSync(join(tmpdir(), 'sweep-plan-')), 'out');
/** A short inline sweep's flags, without --out (a test that checks its out dir gives its own). */
const shortRun = ['--set', 'durationSec=5', '--set', 'drainSec=5', '--workers', '0'];
const short = [...shortRun, '--out', tmpOut()];

const failure = sweepFailure;

describe('a sweep checks every grid point before running any', () => {
  it('refuses a combination of valid axis values that is invalid, naming the point, with nothing run or written', async () => {
    // bargain-2 exists with 3 buyers, not with 2: each value alone is valid, the last point is not.
    const out = tmpOut();
    const r = await failure([
      'quickstart',
      ...shortRun,
      '--set',
      'faults[0]={kind: node_offline, atSec: 1, node: bargain-0}',
      '--grid',
      'faults[0].node=bargain-0,bargain-2',
      '--grid',
      'buyers[0].count=3,2',
      '--seeds',
      '2',
      '--out',
      out,
    ]);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(
      /^\/.*quickstart\.yaml: scenario is invalid\n {2}at grid point 3 \(faults\[0\]\.node=bargain-2, buyers\[0\]\.count=2\); no run was started:\n {2}faults\[0\]\.node: no node named "bargain-2"/,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('sweep size limits', () => {
  it('refuses more than 1,000 seeds before allocating anything (400,000,000 seeds ran out of heap)', async () => {
    expect(
      await failure(['quickstart', '--seeds', '400000000', '--grid', 'durationSec=5', ...short]),
    ).toEqual({
      code: 2,
      text: '--seeds 400000000: a sweep runs 1 to 1,000 seeds per grid point; give --seeds 1000 or fewer',
    });
  });

  it('refuses more than 100,000 runs (grid points × seeds), saying what one sweep keeps of each run', async () => {
    const durations = Array.from({ length: 101 }, (_, i) => i + 5).join(',');
    const grid = ['--grid', `durationSec=${durations}`, '--seeds', '1000'];
    expect(await failure(['quickstart', ...grid, ...short])).toEqual({
      code: 2,
      text: 'this sweep has 101 grid points × 1000 seeds = 101,000 runs, more than the 100,000 one sweep merges (it keeps a digest of every run in memory until they are merged); use fewer grid values or seeds, or split it into several sweeps',
    });
  });

  it('accepts exactly 100,000 runs: 100 grid points × 1,000 seeds passes the size check', () => {
    const axes = parseGridArgs([`durationSec=${Array.from({ length: 100 }, (_, i) => i + 5).join(',')}`]);
    expect(() => checkSweep(axes, 1000)).not.toThrow();
  });

  it("holds a queue sweep to the local sweep's 100,000 runs: 11,000 runs pass the size checks and go on to connect", async () => {
    const durations = Array.from({ length: 11 }, (_, i) => i + 5).join(',');
    const grid = ['--grid', `durationSec=${durations}`, '--seeds', '1000'];
    // Nothing listens on port 1: the failure is the connection's, after every check passed.
    const queue = ['--queue', 'redis://127.0.0.1:1', '--out', tmpOut()];
    expect(await failure(['quickstart', ...grid, ...queue])).toEqual({
      code: 1,
      text:
        'error (redis_unreachable): cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1. ' +
        'Start one (redis-server --port 6379) or pass the address of a running one to --queue; every coordinator and worker must reach the same Redis.',
    });
  });

  it('applies the same limits to runSweep called as a library', async () => {
    const loaded = loadScenario('quickstart', { checks: scenarioChecks });
    await expect(
      runSweep({
        scenario: 'quickstart',
        loaded,
        axes: parseGridArgs(['durationSec=5']),
        seeds: 1001,
        workers: 0,
      }),
    ).rejects.toThrow(
      '--seeds 1001: a sweep runs 1 to 1,000 seeds per grid point; give --seeds 1000 or fewer',
    );
  });
});

describe('grid paths a sweep refuses', () => {
  it('refuses a path given twice (the first axis was dropped), showing the one axis to give instead', async () => {
    expect(
      await failure(['quickstart', '--grid', 'durationSec=2,3', '--grid', 'durationSec=4,5', ...short]),
    ).toEqual({
      code: 2,
      text: "--grid durationSec is given twice, so one axis would replace the other: give each path once with all its values, e.g. --grid 'durationSec=2,3,4,5'",
    });
  });

  it('treats buyers.0.count and buyers[0].count as the same path', async () => {
    const r = await failure([
      'quickstart',
      '--grid',
      'buyers[0].count=2,3',
      '--grid',
      'buyers.0.count=4',
      ...short,
    ]);
    expect(r.text).toBe(
      "--grid buyers.0.count is given twice, so one axis would replace the other: give each path once with all its values, e.g. --grid 'buyers[0].count=2,3,4'",
    );
  });

  it('refuses --set seed (sweeps run seeds 1..N and ignored it), saying to use --seeds', async () => {
    expect(await failure(['quickstart', '--set', 'seed=42', '--grid', 'durationSec=2,3', ...short])).toEqual({
      code: 2,
      text: "--set seed: a sweep runs seeds 1..N at every grid point and ignores the scenario's seed; use --seeds N",
    });
  });

  it('refuses --grid seed (its points were identical runs under different labels), saying to use --seeds', async () => {
    expect(await failure(['quickstart', '--grid', 'seed=7,8', ...short])).toEqual({
      code: 2,
      text: '--grid seed: a sweep runs seeds 1..N at every grid point, so the seed cannot be a grid axis; use --seeds N',
    });
  });
});

describe('grid values a sweep refuses', () => {
  it('refuses values equal once read (5, 5.0, 5: three points of one market under one label), naming their places', async () => {
    expect(await failure(['quickstart', '--grid', 'durationSec=5,5.0,5', ...short])).toEqual({
      code: 2,
      text: '--grid durationSec: values 1, 2 and 3 are all 5 once read, so the sweep would run each grid point with it 3 times, under one label: give each value once',
    });
  });

  it('refuses two objects with the same keys and values in another order, and names the file of a sweep.grid', () => {
    const axes = [
      {
        path: 'buyers[0].decider',
        values: [
          { name: 'random' },
          { name: 'cheapest', params: { a: 1, b: 2 } },
          { params: { b: 2, a: 1 }, name: 'cheapest' },
        ],
      },
    ];
    expect(() => checkSweep(axes, 2, {}, { grid: 'file', file: 'my.yaml' })).toThrow(
      'sweep.grid.buyers[0].decider in my.yaml: values 2 and 3 are both {"name":"cheapest","params":{"a":1,"b":2}} once read, so the sweep would run each grid point with it twice, under one label: give each value once in the file',
    );
  });
});

describe('a --set the grid replaces', () => {
  it('refuses --set on a grid path (the grid value won silently), naming both', async () => {
    const argv = ['quickstart', '--set', 'buyers[0].count=9', '--grid', 'buyers.0.count=2,3', ...short];
    expect(await failure(argv)).toEqual({
      code: 2,
      text: "--set buyers[0].count is replaced by --grid buyers.0.count at every grid point, so it would change nothing; drop the --set, or put its value among the grid's",
    });
  });

  it('refuses --set under a grid path, which the grid value replaces whole', async () => {
    const r = await failure([
      'quickstart',
      '--set',
      'buyers[0].decider.name=random',
      '--grid',
      'buyers[0].decider={name: cheapest}',
      ...short,
    ]);
    expect(r.text).toBe(
      "--set buyers[0].decider.name is replaced by --grid buyers[0].decider at every grid point, so it would change nothing; drop the --set, or put its value among the grid's",
    );
  });
});
