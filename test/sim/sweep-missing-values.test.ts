/** A run that has no value for a metric (nothing to count, no samples) is left out of it, never counted as 0. */
import { describe, expect, it } from 'vitest';
import { mergeRuns, sweepCsv, type SweepRun } from '../../sim/sweep/merge.js';
import { sweepConsoleTable } from '../../sim/sweep/report.js';
import { intervalChart } from '../../sim/sweep/charts.js';
import { pairedCell, pointCell } from '../../sim/sweep/tables.js';
import { tInterval } from '../../sim/metrics/stats.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';
import type { Summary } from '../../sim/metrics/summary.js';

const golden = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'quickstart')!)!) as Summary;

/** A run that paid nothing: no payment attempted, no attempt latency, no sales. */
function idle(point: number, seed: number): SweepRun {
  return {
    point,
    seed,
    summary: {
      ...golden,
      purchases: {
        ...golden.purchases,
        paymentsAttempted: 0,
        paymentsSucceeded: 0,
        paymentSuccessRate: null,
      },
      latency: {
        ...golden.latency,
        attempts: { ...golden.latency.attempts, count: 0, p50: null, p95: null },
      },
      market: { revenueMsat: 0, hhi: null, sellers: {} },
    },
  };
}

/** A run where 6 of 6 payments succeeded, p95 latency 106 ms, every sale to cheap-feed-0. */
function busy(point: number, seed: number, p95 = 106): SweepRun {
  return {
    point,
    seed,
    summary: {
      ...golden,
      purchases: { ...golden.purchases, paymentsAttempted: 6, paymentsSucceeded: 6, paymentSuccessRate: 1 },
      latency: { ...golden.latency, attempts: { ...golden.latency.attempts, count: 6, p95 } },
      market: {
        revenueMsat: 12_000,
        hhi: 1,
        sellers: { 'cheap-feed-0': { revenueMsat: 12_000, sales: 6, share: 1 } },
      },
    },
  };
}

const points = [
  { index: 0, label: 'a', overrides: {} },
  { index: 1, label: 'b', overrides: {} },
];

describe('a sweep metric that a run does not have', () => {
  // Point a: seed 1 paid nothing, seed 2 paid 6 of 6; point b: seeds 1 and 2 both paid.
  const r = mergeRuns('x', [], points, [idle(0, 1), busy(0, 2), busy(1, 1, 100), busy(1, 2, 110)]);
  const a = r.points[0]!;

  it('leaves a seed without payments out of payment success: mean 1 over n = 1, not 0.5 over 2', () => {
    expect(a.metrics.paymentSuccessRate).toEqual({
      n: 1,
      mean: 1,
      sd: null,
      low: null,
      high: null,
      halfWidth: null,
      pooled: { count: 6, of: 6 },
    });
  });

  it('leaves a seed without attempts out of latency p95: 106 over n = 1, not (0 + 106) / 2 = 53', () => {
    expect([a.metrics.latencyP95!.n, a.metrics.latencyP95!.mean]).toEqual([1, 106]);
    expect([a.metrics.latencyP50!.n, a.metrics.hhi!.n, a.metrics.hhi!.mean]).toEqual([1, 1, 1]);
  });

  it('gives a seller share over the seeds with sales, so the shares at a point sum to 1, not 0.5', () => {
    expect([a.sellers['cheap-feed-0']!.salesShare.n, a.sellers['cheap-feed-0']!.salesShare.mean]).toEqual([
      1, 1,
    ]);
  });

  it('pairs only seeds where both points have the metric: latency p95 106 − 110 over n = 1', () => {
    // Point b minus the baseline: seed 1 has no baseline latency, seed 2 gives 110 − 106.
    const d = r.points[1]!.paired!.latencyP95!;
    expect([d.n, d.mean, d.p]).toEqual([1, 4, null]);
    expect(pairedCell(d, 2)).toBe('+4.000 [n/a] p=n/a d=n/a (n=1)');
  });

  it('leaves a run without negotiations out of negotiation failure (n = 0, mean null), the same rule as every rate', () => {
    expect(a.metrics.negotiationFailureRate).toMatchObject({ n: 0, mean: null, pooled: { count: 0, of: 0 } });
  });

  it('writes NA in sweep.csv and null in the long table for the run without the metric', () => {
    const rows = sweepCsv(r).trim().split('\n');
    const header = rows[0]!.split(',');
    const col = (row: number, key: string) => rows[row]!.split(',')[header.indexOf(key)];
    expect([col(1, 'paymentSuccessRate'), col(1, 'latencyP95'), col(2, 'latencyP95')]).toEqual([
      'NA',
      'NA',
      '106',
    ]);
    expect(r.runs[0]!.values.paymentSuccessRate).toBeNull();
  });

  it('prints each cell’s own n when it is over fewer runs than the point has, with a note saying why', () => {
    expect(pointCell(a.metrics.paymentSuccessRate!, true, 2)).toBe('1.000 [n/a] (n=1)');
    expect(pointCell(a.metrics.latencyP95!, false, 2)).toBe('106 ± n/a (n=1)');
    expect(sweepConsoleTable(r)).toContain(
      "(n=k): only k of the point's runs had the metric (a rate with nothing to count, a latency without samples); its mean, interval and paired difference are over those runs, never counting the others as 0; n/a where no run had it (or none succeeded)",
    );
  });
});

describe('a grid point without a successful run', () => {
  const r = mergeRuns('x', [], points, [busy(0, 1), busy(0, 2, 110)]);
  const b = r.points[1]!;

  it('has an undefined mean (null in sweep.json), not 0', () => {
    expect(tInterval([])).toEqual({ n: 0, mean: null, sd: null, low: null, high: null, halfWidth: null });
    const json = JSON.parse(JSON.stringify(r)) as typeof r;
    expect(json.points[1]!.metrics.welfareMsat).toEqual({
      n: 0,
      mean: null,
      sd: null,
      low: null,
      high: null,
      halfWidth: null,
    });
    expect(json.points[1]!.paired!.welfareMsat!.mean).toBeNull();
  });

  it('shows n/a in the tables instead of 0.000', () => {
    expect(pointCell(b.metrics.paymentSuccessRate!, true, 0)).toBe('n/a');
    expect(pointCell(b.metrics.welfareMsat!, false, 0)).toBe('n/a');
    expect(pairedCell(b.paired!.welfareMsat!, 0)).toBe('n/a');
    const row = sweepConsoleTable(r)
      .split('\n')
      .find((l) => l.startsWith('b '))!;
    expect(row.split(/\s{2,}/)).toEqual(['b', '0', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
  });

  it('draws no bar for it in the chart, only n/a', () => {
    const spec = intervalChart(r, 'welfareMsat', 'welfare') as {
      data: { values: { label: string; mean: number | null }[] };
      layer: { transform?: { filter?: string }[]; mark: unknown; encoding: { text?: unknown } }[];
    };
    expect(spec.data.values.map((v) => v.mean)).toEqual([golden.welfare.totalMsat, null]);
    expect(spec.layer[0]!.transform).toEqual([{ filter: 'isValid(datum.mean)' }]);
    expect(spec.layer[2]!.encoding.text).toEqual({ value: 'n/a' });
  });
});
