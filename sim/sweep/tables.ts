import { SWEEP_METRICS, type MergedPoint, type PointMetric, type SweepResult } from './merge.js';
import { UNBOUNDED_RATIO, type PairedDifference } from '../metrics/paired.js';

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

/** d_z, or ±∞ when the differences are all equal (no spread) and not 0. */
function effect(d: number): string {
  return Math.abs(d) >= UNBOUNDED_RATIO ? `${d > 0 ? '' : '−'}∞` : d.toFixed(2);
}

/** A paired difference: mean [95% CI], Holm-adjusted p, d_z. */
export function pairedCell(d: PairedDifference): string {
  const sign = d.mean > 0 ? '+' : '';
  return `${sign}${fmt(d.mean)} [${fmt(d.low)}, ${fmt(d.high)}] p=${d.pHolm < 0.001 ? '<0.001' : d.pHolm.toFixed(3)} d=${effect(d.effectSize)}`;
}

function label(key: string): string {
  return SWEEP_METRICS.find((m) => m.key === key)!.label;
}

/** How a table names a grid point: by its settings (console), or by a short id (page). */
export type PointName = (p: MergedPoint) => string;
const byLabel: PointName = (p) => p.label;

/** A short id for a grid point (P0, P1, ...) that the page's legend maps to its settings. */
export const pointId: PointName = (p) => `P${p.index}`;

/** The page's legend: each point's id and its settings. */
export function legendTable(r: SweepResult): { header: string[]; rows: string[][] } {
  return {
    header: ['point', 'settings'],
    rows: r.points.map((p) => [
      p.index === r.baseline ? `${pointId(p)} (baseline)` : pointId(p),
      p.label || '(the scenario as written)',
    ]),
  };
}

/** Metric columns per table on the page, so a table fits an A4 page's width. */
export const PAGE_METRIC_COLUMNS = 4;

/** Splits metric keys into groups of at most `size` (one table each). */
export function metricGroups(keys: string[], size = PAGE_METRIC_COLUMNS): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += size) out.push(keys.slice(i, i + size));
  return out;
}

/** Rows: grid points; columns: the headline metrics at each point. */
export function pointTable(
  r: SweepResult,
  keys = HEADLINE,
  name: PointName = byLabel,
): { header: string[]; rows: string[][] } {
  return {
    header: ['point', 'seeds', ...keys.map(label)],
    rows: r.points.map((p) => [
      p.index === r.baseline ? `${name(p)} (baseline)` : name(p),
      String(p.seeds.length),
      ...keys.map((k) => pointCell(p.metrics[k]!)),
    ]),
  };
}

/** Rows: each point against the baseline; columns: the paired difference of each headline metric. */
export function pairedTable(
  r: SweepResult,
  keys = HEADLINE,
  name: PointName = byLabel,
): { header: string[]; rows: string[][] } {
  const base = r.points[r.baseline];
  return {
    header: [`vs ${base ? name(base) : 'baseline'}`, 'paired seeds', ...keys.map((k) => `Δ ${label(k)}`)],
    rows: r.points
      .filter(
        (p): p is MergedPoint & { paired: NonNullable<MergedPoint['paired']> } => p.paired !== undefined,
      )
      .map((p) => [name(p), String(p.paired[keys[0]!]!.n), ...keys.map((k) => pairedCell(p.paired[k]!))]),
  };
}

/** Rows: each seller at each point; columns: its share of the sales and the paired difference from the baseline. */
export function sellerShareTable(
  r: SweepResult,
  name: PointName = byLabel,
): { header: string[]; rows: string[][] } {
  const base = r.points[r.baseline];
  return {
    header: ['point', 'seller', 'share of sales', `Δ share vs ${base ? name(base) : 'baseline'}`],
    rows: r.points.flatMap((p) =>
      Object.entries(p.sellers).map(([seller, v]) => [
        p.index === r.baseline ? `${name(p)} (baseline)` : name(p),
        seller,
        `${fmt(v.share.mean)} [${fmt(v.share.low)}, ${fmt(v.share.high)}]`,
        v.paired ? pairedCell(v.paired) : '',
      ]),
    ),
  };
}
