import type { TopLevelSpec } from 'vega-lite';
import type { SweepResult } from './merge.js';
import { NOT_AVAILABLE } from '../report/format.js';

/**
 * The sweep's chart specs: a bar per point with its interval, the agent groups' surplus per
 * task, and each point's paired difference from the baseline. A point without a value (no run
 * had the metric) has no bar or dot, only "n/a" at zero.
 */

/** The layer that writes n/a at zero for a row without a value. */
function notAvailable(y: string) {
  return {
    transform: [{ filter: '!isValid(datum.mean)' }, { calculate: '0', as: 'zero' }],
    mark: { type: 'text' as const, align: 'left' as const, dx: 4 },
    encoding: {
      y: { field: y, type: 'nominal' as const, sort: null },
      x: { field: 'zero', type: 'quantitative' as const },
      text: { value: NOT_AVAILABLE },
    },
  };
}

/** What every chart shares: its size (`rowPx` a row), font, title and rows. */
function frame(title: string, values: object[], rowPx: number) {
  return {
    width: 520,
    height: Math.max(120, rowPx * values.length),
    background: 'white',
    config: { font: 'DejaVu Sans' },
    title,
    data: { values },
  };
}

/** The layer that draws each row's 95% interval; an undefined interval (one seed) has none. */
function errorBars(y: string) {
  return {
    transform: [{ filter: 'isValid(datum.low)' }],
    mark: { type: 'rule' as const, color: 'black' },
    encoding: {
      y: { field: y, type: 'nominal' as const, sort: null },
      x: { field: 'low', type: 'quantitative' as const },
      x2: { field: 'high' },
    },
  };
}

/** A row with a value (the bar or dot layer). */
const valid = [{ filter: 'isValid(datum.mean)' }];

/** msat as sat, an undefined bound staying undefined. */
const sat = (msat: number | null) => (msat === null ? null : msat / 1000);

/** A bar per grid point with its 95% interval as an error bar. */
export function intervalChart(r: SweepResult, key: string, title: string): TopLevelSpec {
  const values = r.points.map((p) => {
    const iv = p.metrics[key]!;
    return { label: p.label, mean: iv.mean, low: iv.low, high: iv.high };
  });
  return {
    ...frame(title, values, 28),
    layer: [
      {
        transform: valid,
        mark: 'bar',
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
          x: { field: 'mean', type: 'quantitative', title },
        },
      },
      errorBars('label'),
      notAvailable('label'),
    ],
  };
}

/** Welfare per task of each agent group at each grid point, with intervals: the policy comparison. */
export function groupChart(r: SweepResult): TopLevelSpec | undefined {
  const values = r.points.flatMap((p) =>
    Object.entries(p.groups).map(([g, v]) => ({
      row: r.points.length > 1 ? `${p.label} / ${g}` : g,
      mean: sat(v.surplusPerTaskMsat.mean),
      low: sat(v.surplusPerTaskMsat.low),
      high: sat(v.surplusPerTaskMsat.high),
    })),
  );
  if (values.length < 2) return undefined;
  return {
    ...frame('Buyer surplus per task by agent group (sat, 95% CI)', values, 24),
    layer: [
      {
        transform: valid,
        mark: 'bar',
        encoding: {
          y: { field: 'row', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
          x: { field: 'mean', type: 'quantitative', title: 'sat per task' },
        },
      },
      errorBars('row'),
      notAvailable('row'),
    ],
  };
}

/** Each point minus the baseline, paired over seeds, with its 95% interval and a rule at zero. */
export function pairedChart(r: SweepResult, key: string, title: string): TopLevelSpec | undefined {
  const values = r.points
    .filter((p) => p.paired)
    .map((p) => ({
      label: p.label,
      mean: p.paired![key]!.mean,
      low: p.paired![key]!.low,
      high: p.paired![key]!.high,
    }));
  if (values.length === 0) return undefined;
  return {
    ...frame(title, values, 28),
    layer: [
      {
        transform: valid,
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
          x: { field: 'mean', type: 'quantitative', title: `Δ ${title} vs baseline` },
        },
      },
      errorBars('label'),
      notAvailable('label'),
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', strokeDash: [4, 4] },
        encoding: { x: { field: 'zero', type: 'quantitative' } },
      },
    ],
  };
}
