/**
 * Ctrl-C (or SIGTERM) during a local `npm run sim -- sweep`: the runs in
 * progress end, the finished runs' summary.json stay, nothing is merged, and
 * one message says so (sim/commands/sweep-command.ts, sim/sweep/stopped-sweep.ts,
 * sim/stop-presses.ts).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { until } from '../live/harness.js';
import { npmSim } from './npm-group.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { SweepStopped } from '../../sim/sweep/stopped-sweep.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));

describe('a stop signal during a local npm run sim -- sweep', () => {
  // Two points run in order: 5 s of market time (a moment), then 36,000 s (minutes), still running at the signal.
  test.each([
    ['SIGINT', '1', 130, 'on 1 worker'],
    ['SIGTERM', '0', 143, 'inline (no worker threads)'],
  ] as const)(
    '%s once the first of 2 runs finished (--workers %s) exits %i, keeps that run only and says 1 of 2 runs finished, where it is, that nothing was merged, and that a new sweep redoes every run',
    async (signal, workers, exitCode, where) => {
      const root = mkdtempSync(join(tmpdir(), 'sim-sweep-interrupt-'));
      dirs.push(root);
      const out = join(root, 'out');
      const args = ['quickstart', '--grid', 'durationSec=5,36000', '--seeds', '1', '--workers', workers];
      const sweep = npmSim('sweep', [...args, '--out', out], 60_000);
      const first = join(out, 'runs', 'point-0', 'seed-1', 'summary.json');
      await until('the first run summary.json', () => existsSync(first), 30_000);
      sweep.signal(signal);
      expect([await sweep.exited, sweep.text.out]).toEqual([
        exitCode,
        `sweep stopped: 1 of 2 runs finished; its summary.json is kept in ${out}/runs/point-*/seed-*/, and no sweep.json, sweep.csv or report.html was written.\n` +
          'for the whole sweep run the same command again: it runs all 2 runs anew, reusing none of the finished ones, and replaces their files.\n',
      ]);
      // No "stopping: …" line: npm's relayed copy of the signal counted as the same press.
      expect(sweep.text.err.split('\n').filter((l) => l && !/^sweep: \d+\/2 runs, /.test(l))).toEqual([
        `sweeping quickstart: 2 runs (2 points × 1 seed) ${where}…`,
      ]);
      expect(filesUnder(out)).toEqual(['runs/point-0/seed-1/summary.json']);
    },
    40_000,
  );
});

describe('a sweep stopped before its end (runSweep with a signal)', () => {
  test('stopped before any run finished, throws SweepStopped saying 0 of 4 runs finished and leaves a previous sweep in --out as it was', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sim-sweep-stopped-'));
    dirs.push(out);
    writeFileSync(join(out, 'sweep.json'), '{"previous":true}\n');
    const stopped = runSweep({
      scenario: 'quickstart',
      loaded: loadScenario('quickstart'),
      axes: parseGridArgs(['durationSec=5,6']),
      seeds: 2,
      workers: 0,
      outDir: out,
      signal: AbortSignal.abort(),
    });
    await expect(stopped).rejects.toMatchObject({
      code: 'sweep_stopped',
      message: `sweep stopped: 0 of 4 runs finished; no run's summary.json was written, and ${out} is as it was; for the whole sweep run the same command again.`,
    });
    expect([filesUnder(out), readFileSync(join(out, 'sweep.json'), 'utf8')]).toEqual([
      ['sweep.json'],
      '{"previous":true}\n',
    ]);
  });

  test.each([
    [
      3,
      1,
      'sweep stopped: 4 of 8 runs finished (1 failed); the summary.json files of the 3 that succeeded are kept in /o/runs/point-*/seed-*/',
    ],
    [
      1,
      2,
      'sweep stopped: 3 of 8 runs finished (2 failed); the summary.json of the one that succeeded is kept in /o/runs/point-*/seed-*/',
    ],
    [
      5,
      0,
      'sweep stopped: 5 of 8 runs finished; their summary.json files are kept in /o/runs/point-*/seed-*/',
    ],
  ])(
    'with %i runs kept and %i failed of 8, the message is %j, then that nothing was merged and how to get the whole sweep',
    (kept, failed, head) => {
      expect(new SweepStopped(kept, failed, 8, '/o').message).toBe(
        `${head}, and no sweep.json, sweep.csv or report.html was written.\n` +
          'for the whole sweep run the same command again: it runs all 8 runs anew, reusing none of the finished ones, and replaces their files.',
      );
    },
  );
});
