import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sim/metrics/summary.js';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { MAX_CHART_ROWS, writeSweepReport } from '../../sim/sweep/report.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

/** A report of `n` grid points × 2 seeds made from the quickstart golden; the chart files it wrote and its page. */
async function reportOf(n: number) {
  const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;
  const points = Array.from({ length: n }, (_, index) => ({
    index,
    label: `durationSec=${index + 5}`,
    overrides: {},
  }));
  const runs: SweepRun[] = points.flatMap((p) =>
    [1, 2].map((seed) => ({ point: p.index, seed, summary: golden })),
  );
  const dir = mkdtempSync(join(tmpdir(), 'sweep-report-rows-'));
  const path = await writeSweepReport(dir, mergeRuns('quickstart', [], points, runs));
  return { charts: readdirSync(join(dir, 'charts')).length, html: readFileSync(path, 'utf8') };
}

/** The charts not drawn, as the page counts them. */
const notDrawn = (html: string) =>
  Number(/<p>(\d+) chart\(s\) not drawn: more than 200 rows each/.exec(html)?.[1] ?? 0);

// quickstart's 5 headline metrics each get a chart of every point and one of the paired differences
// (every point but the baseline); the group chart has a row per point and group (2 groups).
describe(`a sweep report draws charts of at most ${MAX_CHART_ROWS} rows`, { timeout: 120_000 }, () => {
  it('201 grid points: the 5 paired charts (200 rows) are drawn; the 5 point charts (201) and the group chart (402) are not, and the page says so', async () => {
    const { charts, html } = await reportOf(201);
    expect([charts, notDrawn(html)]).toEqual([5, 6]);
    expect(html).toContain(
      'more than 200 rows each (201 grid points). Their figures are in the tables below and in sweep.csv.',
    );
  });

  it('200 grid points: the point charts (200 rows) and paired charts (199) are drawn; only the group chart (400) is not', async () => {
    const { charts, html } = await reportOf(200);
    expect([charts, notDrawn(html)]).toEqual([10, 1]);
  });

  it('100 grid points: all 11 charts are drawn and no chart is said to be missing', async () => {
    const { charts, html } = await reportOf(100);
    expect([charts, html.includes('not drawn')]).toEqual([11, false]);
  });
});
