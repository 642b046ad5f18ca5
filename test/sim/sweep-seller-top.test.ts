/** The console lists at most 10 sellers per point (the top ones by share) and says where every seller's share is. */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sim/metrics/summary.js';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { sweepConsoleTable } from '../../sim/sweep/report.js';
import { pointId, sellerShareTable } from '../../sim/sweep/tables.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;
const points = [
  { index: 0, label: 'a', overrides: {} },
  { index: 1, label: 'b', overrides: {} },
];

/** A run where seller-01 … seller-<n> made 1 … n sales (at point b, in the reverse order). */
function run(point: number, seed: number, n: number): SweepRun {
  const sellers = Object.fromEntries(
    Array.from({ length: n }, (_, i) => {
      const sales = point === 0 ? i + 1 : n - i;
      return [`seller-${String(i + 1).padStart(2, '0')}`, { revenueMsat: sales * 1000, sales, share: 0 }];
    }),
  );
  return { point, seed, summary: { ...golden, market: { ...golden.market, sellers } } };
}

/** The sellers the console's share table lists for `point`, in order. */
const sellersShown = (table: string, point: string) =>
  table
    .slice(table.indexOf('seller share of the payments'))
    .split('\n')
    .filter((l) => l.startsWith(`${point} `))
    .map((l) => l.split(/\s+/).find((w) => w.startsWith('seller-')));

describe('a sweep with 12 sellers per point', () => {
  const r = mergeRuns('x', [], points, [run(0, 1, 12), run(0, 2, 12), run(1, 1, 12), run(1, 2, 12)]);
  const table = sweepConsoleTable(r);

  it('prints, per point, its 10 sellers with the largest mean share, largest first', () => {
    expect(sellersShown(table, 'a (baseline)')).toEqual([
      'seller-12',
      'seller-11',
      'seller-10',
      'seller-09',
      'seller-08',
      'seller-07',
      'seller-06',
      'seller-05',
      'seller-04',
      'seller-03',
    ]);
    expect(sellersShown(table, 'b')).toEqual([
      'seller-01',
      'seller-02',
      'seller-03',
      'seller-04',
      'seller-05',
      'seller-06',
      'seller-07',
      'seller-08',
      'seller-09',
      'seller-10',
    ]);
  });

  it('says so above the table, and says where every seller’s share is below it', () => {
    expect(table).toContain(
      'seller share of the payments (sales, not money): mean [95% t-interval over seeds, within 0 and 1]; Δ paired against the baseline; the top 10 of each point by share\n',
    );
    expect(table).toContain(
      "\n12 sellers per point, 10 shown: every seller's share is in sweep.json (points[].sellers.<seller>.salesShare) and report.html (Seller shares of the payments)",
    );
  });

  it('keeps all 24 rows, by name, in the table report.html shows', () => {
    const rows = sellerShareTable(r, pointId).rows;
    expect(rows.map((row) => `${row[0]} ${row[1]}`).slice(0, 3)).toEqual([
      'P0 (baseline) seller-01',
      'P0 (baseline) seller-02',
      'P0 (baseline) seller-03',
    ]);
    expect(rows).toHaveLength(24);
  });
});

describe('a sweep with 10 sellers per point', () => {
  it('prints all 10, by name, with no note', () => {
    const r = mergeRuns('x', [], points, [run(0, 1, 10), run(0, 2, 10), run(1, 1, 10), run(1, 2, 10)]);
    const table = sweepConsoleTable(r);
    expect(sellersShown(table, 'b')).toEqual(
      Array.from({ length: 10 }, (_, i) => `seller-${String(i + 1).padStart(2, '0')}`),
    );
    expect(table).not.toContain('per point, 10 shown');
    expect(table).not.toContain('the top 10 of each point');
  });
});
