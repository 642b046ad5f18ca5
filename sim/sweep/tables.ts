import { SWEEP_METRICS, type MergedPoint, type PointMetric, type SweepResult } from './merge.js';
import type { PairedDifference } from '../metrics/paired.js';

/** The metrics the headline tables and charts show (all are in sweep.json and sweep.csv). */
export const HEADLINE = [
  'paymentSuccessRate',
  'taskCompletionRate',
  'buyerSurplusPerTaskMsat',
  'welfareMsat',
  'latencyP95',
];

const fmt = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3));

/** A point's value: a proportion as its pooled value with the Wilson interval, else mean ± t half-width. */
export function pointCell(iv: PointMetric): string {
  return iv.wilson
    ? `${fmt(iv.wilson.p)} [${fmt(iv.wilson.low)}, ${fmt(iv.wilson.high)}]`
    : `${fmt(iv.mean)} ± ${fmt(iv.halfWidth)}`;
}

/** A paired difference: mean [95% CI], Holm-adjusted p, d_z. */
export function pairedCell(d: PairedDifference): string {
  const sign = d.mean > 0 ? '+' : '';
  return `${sign}${fmt(d.mean)} [${fmt(d.low)}, ${fmt(d.high)}] p=${d.pHolm < 0.001 ? '<0.001' : d.pHolm.toFixed(3)} d=${d.effectSize.toFixed(2)}`;
}

function label(key: string): string {
  return SWEEP_METRICS.find((m) => m.key === key)!.label;
}

/** Rows: grid points; columns: the headline metrics at each point. */
export function pointTable(r: SweepResult, keys = HEADLINE): { header: string[]; rows: string[][] } {
  return {
    header: ['point', 'seeds', ...keys.map(label)],
    rows: r.points.map((p) => [
      p.index === r.baseline ? `${p.label} (baseline)` : p.label,
      String(p.seeds.length),
      ...keys.map((k) => pointCell(p.metrics[k]!)),
    ]),
  };
}

/** Rows: each point against the baseline; columns: the paired difference of each headline metric. */
export function pairedTable(r: SweepResult, keys = HEADLINE): { header: string[]; rows: string[][] } {
  const base = r.points[r.baseline];
  return {
    header: [`vs ${base?.label ?? 'baseline'}`, 'paired seeds', ...keys.map((k) => `Δ ${label(k)}`)],
    rows: r.points
      .filter(
        (p): p is MergedPoint & { paired: NonNullable<MergedPoint['paired']> } => p.paired !== undefined,
      )
      .map((p) => [p.label, String(p.paired[keys[0]!]!.n), ...keys.map((k) => pairedCell(p.paired[k]!))]),
  };
}
