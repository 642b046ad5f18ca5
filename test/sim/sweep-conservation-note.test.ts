/**
 * A sweep whose runs broke conservation exits 1; its console table and report.html say which
 * runs did (each point and its seeds), so the exit code is not the only sign that some of its
 * figures cannot be trusted.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../sim/metrics/summary.js';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { sweepConsoleTable, writeSweepReport } from '../../sim/sweep/report.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;
const points = [
  { index: 0, label: 'drainSec=60', overrides: { drainSec: 60 } },
  { index: 1, label: 'drainSec=1', overrides: { drainSec: 1 } },
];

/** Three seeds at each point; the runs at (point, seed) in `broken` did not conserve money. */
function sweep(broken: [number, number][]) {
  const runs: SweepRun[] = points.flatMap((p) =>
    [1, 2, 3].map((seed) => {
      const holds = !broken.some(([point, s]) => point === p.index && s === seed);
      return {
        point: p.index,
        seed,
        summary: { ...golden, conservation: { ...golden.conservation, holds } },
      };
    }),
  );
  return mergeRuns('quickstart', [{ path: 'drainSec', values: [60, 1] }], points, runs);
}

const NOTE =
  'conservation BROKEN in 2 runs: drainSec=1 at 2 seeds 1, 3. Their records and ledger disagree, so their figures cannot be trusted: see the conservation entry of each one’s runs/point-<i>/seed-<n>/summary.json';

describe('a sweep whose runs at seeds 1 and 3 of point drainSec=1 broke conservation', () => {
  it('ends its console table with a line naming that point and those seeds (none when every run conserved)', () => {
    const lines = sweepConsoleTable(
      sweep([
        [1, 1],
        [1, 3],
      ]),
    ).split('\n');
    expect(lines.at(-1)).toBe(NOTE);
    expect(sweepConsoleTable(sweep([]))).not.toContain('conservation');
  });

  it('says so first on report.html, naming the point by its id and settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-broken-'));
    const html = readFileSync(
      await writeSweepReport(
        dir,
        sweep([
          [1, 1],
          [1, 3],
        ]),
      ),
      'utf8',
    );
    expect(html).toContain(
      '<p class="bad">conservation BROKEN in 2 runs: P1 (drainSec=1) at 2 seeds 1, 3. Their records and ledger disagree, so their figures cannot be trusted: see the conservation entry of each one’s runs/point-&#60;i&#62;/seed-&#60;n&#62;/summary.json</p>',
    );
    expect(html.indexOf('conservation BROKEN')).toBeLessThan(html.indexOf('<h2>Grid points</h2>'));
  }, 120_000);

  it('names every broken point in grid order, each with its seeds', () => {
    const lines = sweepConsoleTable(
      sweep([
        [1, 2],
        [0, 3],
      ]),
    ).split('\n');
    expect(lines.at(-1)).toMatch(
      /^conservation BROKEN in 2 runs: drainSec=60 at 1 seed 3; drainSec=1 at 1 seed 2\. /,
    );
  });
});
