/**
 * One name, one meaning: summary.json's `market.sellers.<payee>.share` is a share of the money
 * paid; a sweep's per-seller figure is a share of the payments (sales), so it is named
 * `salesShare` in sweep.json and "share of payments" in its tables.
 */
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sim/metrics/summary.js';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { sweepConsoleTable } from '../../sim/sweep/report.js';
import { sellerShareTable } from '../../sim/sweep/tables.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;

/** A run with one sale each to "dear-0" (9,000 msat) and "cheap-0" (1,000 msat): 90% and 10% of the money. */
function run(point: number, seed: number): SweepRun {
  const sellers = {
    'cheap-0': { revenueMsat: 1000, sales: 1, share: 0.1 },
    'dear-0': { revenueMsat: 9000, sales: 1, share: 0.9 },
  };
  return { point, seed, summary: { ...golden, market: { revenueMsat: 10_000, hhi: 0.82, sellers } } };
}

const points = [
  { index: 0, label: 'a', overrides: {} },
  { index: 1, label: 'b', overrides: {} },
];

describe("a sweep's seller share", () => {
  const r = mergeRuns('x', [], points, [run(0, 1), run(0, 2), run(1, 1), run(1, 2)]);

  it('is salesShare in sweep.json: 0.5 for each of two sellers with one payment each, where the money shares are 0.9 and 0.1', () => {
    const dear = r.points[0]!.sellers['dear-0']!;
    expect(Object.keys(dear)).toEqual(['salesShare']);
    expect(dear.salesShare).toEqual({ n: 2, mean: 0.5, sd: 0, low: 0.5, high: 0.5, halfWidth: 0 });
    expect(Object.keys(r.points[1]!.sellers['cheap-0']!)).toEqual(['salesShare', 'paired']);
  });

  it('is headed "share of payments" in the tables and titled as a share of the payments, not of the money', () => {
    expect(sellerShareTable(r).header).toEqual([
      'point',
      'seller',
      'share of payments',
      'Δ share of payments vs a',
    ]);
    expect(sweepConsoleTable(r)).toContain(
      '\nseller share of the payments (sales, not money): mean [95% t-interval over seeds, within 0 and 1]; Δ paired against the baseline\n',
    );
  });
});
