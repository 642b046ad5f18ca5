import { describe, expect, it } from 'vitest';
import { mergeRuns, type SweepRun } from '../../sim/sweep/merge.js';
import { pairedDifference } from '../../sim/metrics/paired.js';
import { sweepConsoleTable } from '../../sim/sweep/report.js';
import { pairedCell, pointCell } from '../../sim/sweep/tables.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';
import type { Summary } from '../../sim/metrics/summary.js';

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'faults')!)!) as Summary;
const group = Object.keys(golden.groups)[0]!;

/** The faults golden with its welfare and its payments (run and group) replaced. */
function run(point: number, seed: number, welfare: number, paid: [number, number]): SweepRun {
  const rate = paid[0] / paid[1];
  const payments = { paymentsSucceeded: paid[0], paymentsAttempted: paid[1], paymentSuccessRate: rate };
  return {
    point,
    seed,
    summary: {
      ...golden,
      welfare: { ...golden.welfare, totalMsat: welfare },
      purchases: { ...golden.purchases, ...payments },
      groups: { [group]: { ...golden.groups[group]!, ...payments } },
    },
  };
}

const points = [
  { index: 0, label: 'a', overrides: {} },
  { index: 1, label: 'b', overrides: {} },
];

describe('a sweep with one seed has no intervals, t, p or d_z', () => {
  const r = mergeRuns('x', [], points, [run(0, 1, 12_222, [7, 9]), run(1, 1, 10_776, [7, 9])]);

  it('gives each point its value and null where a spread is needed (null in sweep.json)', () => {
    const w = r.points[1]!.metrics.welfareMsat!;
    expect(w).toEqual({ n: 1, mean: 10_776, sd: null, low: null, high: null, halfWidth: null });
    const json = JSON.parse(JSON.stringify(r)) as typeof r;
    expect(json.points[1]!.metrics.paymentSuccessRate).toEqual({
      n: 1,
      mean: 0.777778,
      sd: null,
      low: null,
      high: null,
      halfWidth: null,
      pooled: { count: 7, of: 9 },
    });
    expect(json.points[1]!.groups[group]!.paymentSuccessRate.low).toBeNull();
  });

  it('gives the paired difference its mean and no t, p, d_z (not ±1e9 next to p = 1)', () => {
    expect(r.points[1]!.paired!.welfareMsat).toEqual({
      n: 1,
      mean: -1446,
      sd: null,
      low: null,
      high: null,
      halfWidth: null,
      t: null,
      p: null,
      pHolm: null,
      effectSize: null,
    });
  });

  it('prints n/a with a note that at least 2 seeds are needed', () => {
    expect(pointCell(r.points[1]!.metrics.welfareMsat!)).toBe('10,776 ± n/a');
    expect(pointCell(r.points[1]!.metrics.paymentSuccessRate!, true)).toBe('0.778 [n/a]');
    expect(pairedCell(r.points[1]!.paired!.welfareMsat!)).toBe('-1,446 [n/a] p=n/a d=n/a');
    const text = sweepConsoleTable(r);
    expect(text).not.toContain('∞');
    expect(text).toContain(
      'n/a: a 95% interval, t, p and d_z need at least 2 seeds (1 here); run the sweep with --seeds 2 or more',
    );
  });
});

describe('with two or more seeds', () => {
  it('keeps ±∞ for a real zero variance, with p = 0 (t, p and d_z agree)', () => {
    const two = (a: number, b: number) =>
      new Map([
        ['1', a],
        ['2', b],
      ]);
    const d = pairedDifference(two(5, 7), two(3, 5));
    expect([d.n, d.mean, d.sd, d.t, d.p, d.effectSize]).toEqual([2, 2, 0, 1e9, 0, 1e9]);
    expect(pairedCell(d)).toBe('+2.000 [2.000, 2.000] p=<0.001 d=∞');
  });

  it("clips a group's payment success interval to [0, 1] (rates 0.2 and 1 over 2 seeds)", () => {
    const r = mergeRuns('x', [], points.slice(0, 1), [run(0, 1, 0, [1, 5]), run(0, 2, 0, [5, 5])]);
    // Mean 0.6, sd 0.565685, df 1: the t-interval alone is 0.6 ± 5.082 = [−4.48, 5.68].
    expect(r.points[0]!.groups[group]!.paymentSuccessRate).toEqual({
      n: 2,
      mean: 0.6,
      sd: 0.565685,
      low: 0,
      high: 1,
      halfWidth: 5.082482,
    });
  });

  it('gives a proportion the spread between seeds, not the pooled binomial spread (per-seed 0.704 and 1)', () => {
    // 50 of 71 and 120 of 120 payments: the pooled Wilson interval was [0.838, 0.926], far narrower than the seeds' own spread.
    const r = mergeRuns('x', [], points.slice(0, 1), [run(0, 1, 0, [50, 71]), run(0, 2, 0, [120, 120])]);
    const p = r.points[0]!.metrics.paymentSuccessRate!;
    expect([p.mean, p.low, p.high, p.pooled]).toEqual([0.852113, 0, 1, { count: 170, of: 191 }]);
  });
});
