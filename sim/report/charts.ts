import type { Summary } from '../metrics/summary.js';
import { STEPS } from '../metrics/rows.js';
import { base, type Chart, type PricePoint } from './chart-base.js';
import { marketCharts } from './market-charts.js';

/**
 * Every chart of one run, in the order the report shows them; the scatter needs purchases.csv.
 * None reads the negotiation section (an older run's is not this version's: `ReportedSummary`).
 */
export function runCharts(s: Omit<Summary, 'negotiation'>, prices: readonly PricePoint[] = []): Chart[] {
  const charts = [
    latencyCdf(s),
    stepLatency(s),
    spendOverTime(s),
    priceOverTime(s),
    ...marketCharts(s),
    outcomes(s),
    groupSurplus(s),
  ];
  if (prices.length) charts.splice(4, 0, priceScatter(prices));
  return charts;
}

function priceScatter(points: readonly PricePoint[]): Chart {
  const values = points.map((p) => ({ sec: p.startMs / 1000, sats: p.paidMsat / 1000, seller: p.seller }));
  return {
    id: 'prices-by-seller',
    title: 'Every price paid per call, by seller',
    spec: {
      ...base,
      data: { values },
      mark: { type: 'point', filled: true, size: 18, opacity: 0.6 },
      encoding: {
        x: { field: 'sec', type: 'quantitative', title: 'run time (s)' },
        y: { field: 'sats', type: 'quantitative', title: 'paid per call (sat)', scale: { zero: false } },
        color: { field: 'seller', type: 'nominal', legend: { labelLimit: 200 } },
      },
    },
  };
}

function latencyCdf(s: Summary): Chart {
  // One line per agent group with attempts; the run's own CDF when there is a single group.
  const groups = Object.entries(s.groups).filter(([, g]) => g.latencyCdf.length > 0);
  const values = groups.flatMap(([group, g]) =>
    g.latencyCdf.map((p) => ({ group, ms: Math.max(1, p.value), fraction: p.fraction })),
  );
  return {
    id: 'latency-cdf',
    title: 'Latency of attempted purchases, CDF by group',
    spec: {
      ...base,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after', point: false },
      encoding: {
        x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction of attempts ≤ x' },
        color: { field: 'group', type: 'nominal', title: null },
      },
    },
  };
}

function stepLatency(s: Summary): Chart {
  // A step that never happened has no latency (null): no bar, rather than a bar at 0 ms.
  const values = STEPS.flatMap((step) =>
    (['p50', 'p95', 'p99'] as const).flatMap((stat) => {
      const ms = s.latency.steps[step][stat];
      return ms === null ? [] : [{ step, stat, ms }];
    }),
  );
  return {
    id: 'step-latency',
    title: 'Latency by step (p50 / p95 / p99)',
    spec: {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        x: { field: 'step', type: 'nominal', sort: [...STEPS], title: null },
        xOffset: { field: 'stat', type: 'nominal', sort: ['p50', 'p95', 'p99'] },
        y: { field: 'ms', type: 'quantitative', title: 'ms' },
        color: { field: 'stat', type: 'nominal', title: null },
      },
    },
  };
}

function spendOverTime(s: Summary): Chart {
  const values = s.series.points.map((p) => ({
    sec: p.t / 1000,
    sats: p.spentMsat / 1000,
    attempts: p.attempts,
  }));
  return {
    id: 'spend-over-time',
    title: `Spend per ${s.series.bucketMs / 1000} s`,
    spec: {
      ...base,
      data: { values },
      mark: { type: 'area', line: true, opacity: 0.4 },
      encoding: {
        x: { field: 'sec', type: 'quantitative', title: 'run time (s)' },
        y: { field: 'sats', type: 'quantitative', title: `spent per ${s.series.bucketMs / 1000} s (sat)` },
      },
    },
  };
}

function priceOverTime(s: Summary): Chart {
  const values = s.series.points.flatMap((p) =>
    p.meanPriceMsat === null ? [] : [{ sec: p.t / 1000, sats: p.meanPriceMsat / 1000 }],
  );
  return {
    id: 'price-over-time',
    title: 'Mean price paid per call over time',
    spec: {
      ...base,
      data: { values },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'sec', type: 'quantitative', title: 'run time (s)' },
        y: {
          field: 'sats',
          type: 'quantitative',
          title: 'mean price paid per call (sat)',
          scale: { zero: false },
        },
      },
    },
  };
}

function outcomes(s: Summary): Chart {
  const values = Object.entries(s.purchases.byOutcome).map(([outcome, n]) => ({ outcome, n }));
  return {
    id: 'outcomes',
    title: 'Purchase outcomes',
    spec: {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'outcome', type: 'nominal', sort: '-x', title: null },
        x: { field: 'n', type: 'quantitative', title: 'purchases' },
        color: {
          condition: { test: "datum.outcome === 'success'", value: '#2f9e44' },
          value: '#e8590c',
        },
      },
    },
  };
}

function groupSurplus(s: Summary): Chart {
  const values = Object.entries(s.groups).flatMap(([group, g]) =>
    g.surplusPerTaskMsat === null ? [] : [{ group, sats: g.surplusPerTaskMsat / 1000 }],
  );
  return {
    id: 'group-surplus',
    title: 'Buyer surplus per task by agent group (value earned − paid)',
    spec: {
      ...base,
      data: { values },
      mark: 'bar',
      encoding: {
        y: { field: 'group', type: 'nominal', title: null, sort: '-x' },
        x: { field: 'sats', type: 'quantitative', title: 'surplus per task (sat)' },
      },
    },
  };
}
