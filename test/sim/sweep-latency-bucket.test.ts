import { describe, expect, it } from 'vitest';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { sweepConsoleTable } from '../../sim/sweep/report.js';
import { pairedTable } from '../../sim/sweep/tables.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';
import type { Summary } from '../../sim/metrics/summary.js';

/**
 * Latency quantiles come from a histogram with buckets about 3% wide (sim/metrics/histogram.ts),
 * so two points whose quantiles read the same bucket on every seed have a paired difference of
 * exactly 0 with no spread: the tables say so (audit L3) instead of printing a zero-width
 * interval with p = 1, which claims more than a bucket can tell.
 */

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;

/** Quickstart's summary with latency p95 `p95` ms. */
function run(point: number, seed: number, p95: number): SweepRun {
  const attempts = { ...golden.latency.attempts, p95 };
  return { point, seed, summary: { ...golden, latency: { ...golden.latency, attempts } } };
}

const points = [
  { index: 0, label: 'a', overrides: {} },
  { index: 1, label: 'b', overrides: {} },
];

describe('a latency quantile that reads the same histogram bucket at both points on every seed', () => {
  // Seed 1 reads 149 ms at both points, seed 2 reads 212 ms: a difference of 0 on each seed.
  const r = mergeRuns('x', [], points, [run(0, 1, 149), run(0, 2, 212), run(1, 1, 149), run(1, 2, 212)]);
  const within = '0 (within one histogram bucket, ~3%, on every seed)';

  it('is printed as within one bucket; another metric equal on every seed, or a quantile that moved, keeps its interval', () => {
    const row = pairedTable(r, ['latencyP95', 'welfareMsat']).rows[0]!;
    expect(row).toEqual(['b', '2', within, '0.000 [0.000, 0.000] p=1.000 d=0.00']);
    const moved = mergeRuns('x', [], points, [
      run(0, 1, 149),
      run(0, 2, 212),
      run(1, 1, 153),
      run(1, 2, 212),
    ]);
    expect(pairedTable(moved, ['latencyP95']).rows[0]![2]).toBe('+2.000 [-23.412, 27.412] p=0.500 d=0.71');
  });

  it('is printed so in the console table too', () => {
    expect(sweepConsoleTable(r)).toContain(within);
  });
});
