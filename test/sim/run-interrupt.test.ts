/**
 * Ctrl-C (or SIGTERM) during `npm run sim -- run`: the market stops where its
 * records and ledger agree and every output is written as a partial run
 * (sim/commands/run-command.ts, sim/stop-presses.ts, sim/stopped-run.ts).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { readSummary } from '../../sim/report/read-run.js';
import { readPricePoints } from '../../sim/report/write-run.js';
import { runCharts } from '../../sim/report/charts.js';
import { until } from '../live/harness.js';
import { npmSim } from './npm-group.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Ten hours of quickstart: a few minutes of wall time, so the run is still going when the signal comes. */
const DURATION_SEC = 36_000;

describe('a stop signal during npm run sim -- run', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s stops the market, prints where it stopped, exits %i and writes a partial run whose summary keeps conservation and counts every purchases.csv row',
    async (signal, exitCode) => {
      const out = join(mkdtempSync(join(tmpdir(), 'sim-run-interrupt-')), 'run');
      dirs.push(join(out, '..'));
      const run = npmSim(
        'run',
        ['quickstart', '--out', out, '--set', `durationSec=${DURATION_SEC}`],
        240_000,
      );
      // Off a terminal, progress is a plain line (after 10 s of wall time): the market is running.
      const progress = new RegExp(`^run: \\d+/${DURATION_SEC} s of market time, `, 'm');
      await until('a progress line', () => progress.test(run.text.err), 120_000);
      run.signal(signal);
      const code = await run.exited;
      const summary = readSummary(out);
      const endSec = (summary.endedAtMs / 1000).toFixed(1);
      const files = 'summary.json,meta.json,purchases.csv,tasks.csv,events.jsonl,report.html,charts/*.png';
      expect([code, run.text.out]).toEqual([
        exitCode,
        `stopped at ${endSec} s of ${DURATION_SEC + 30} s of market time: the run did not finish; partial run written to ${out}/{${files}}\n`,
      ]);
      // No "stopping: …" line: npm's relayed copy of the signal counted as the same press.
      expect(run.text.err.split('\n').filter((l) => l && !progress.test(l))).toEqual([
        `running quickstart (seed 1, embedded): ${DURATION_SEC} s of market time…`,
      ]);
      expect(summary.warnings[0]).toBe(
        `stopped at ${endSec} s of ${DURATION_SEC + 30} s of market time: the run did not finish, and its figures cover the market up to the stop only`,
      );
      expect(summary.conservation.holds).toBe(true);
      const rows = parsePurchasesCsv(readFileSync(join(out, 'purchases.csv'), 'utf8'));
      expect(rows.length).toBe(summary.purchases.total);
      expect(
        ['meta.json', 'tasks.csv', 'events.jsonl', 'report.html'].filter((f) => !existsSync(join(out, f))),
      ).toEqual([]);
      const charts = runCharts(summary, readPricePoints(out)).map((c) => `${c.id}.png`);
      expect(readdirSync(join(out, 'charts')).sort()).toEqual(charts.sort());
    },
    300_000,
  );
});
