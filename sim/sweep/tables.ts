import { SWEEP_METRICS, type MergedPoint, type SweepResult } from './merge.js';
import type { SellerShareStats } from './seller-shares.js';
import { UNBOUNDED_RATIO, type PairedDifference } from '../metrics/paired.js';
import { MIN_REPLICATES, type Interval } from '../metrics/stats.js';
import { NOT_AVAILABLE, fixed } from '../report/format.js';

/** The metrics the headline tables and charts show (all are in sweep.json and sweep.csv). */
export const HEADLINE = [
  'paymentSuccessRate',
  'taskCompletionRate',
  'buyerSurplusPerTaskMsat',
  'welfareMsat',
  'latencyP95',
];

const fmt = (x: number | null) =>
  x === null ? NOT_AVAILABLE : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(3);

/** An interval's bounds, `[low, high]`, or `[n/a]` when it is undefined. */
const bounds = (iv: { low: number | null; high: number | null }) =>
  iv.low === null || iv.high === null ? `[${NOT_AVAILABLE}]` : `[${fmt(iv.low)}, ${fmt(iv.high)}]`;

/** ` (n=k)` when a figure is over fewer values than `of` (the runs it could have had), else empty. */
const over = (n: number, of: number | undefined) => (of !== undefined && n < of ? ` (n=${n})` : '');

/**
 * A point's value: mean [95% t-interval, clipped] for a bounded quantity (a proportion), else
 * mean ± t half-width; `(n=k)` when only k of the point's `runs` had it, n/a when none did.
 */
export function pointCell(iv: Interval, bounded = false, runs?: number): string {
  if (iv.mean === null) return NOT_AVAILABLE;
  const cell = bounded ? `${fmt(iv.mean)} ${bounds(iv)}` : `${fmt(iv.mean)} ± ${fmt(iv.halfWidth)}`;
  return cell + over(iv.n, runs);
}

/** d_z, or ±∞ when the differences are all equal (no spread) and not 0. */
function effect(d: number | null): string {
  return d !== null && Math.abs(d) >= UNBOUNDED_RATIO ? `${d > 0 ? '' : '−'}∞` : fixed(d, 2);
}

/** A p-value as the tables print it. */
function pValue(p: number | null): string {
  return p !== null && p < 0.001 ? '<0.001' : fixed(p, 3);
}

/** What a histogram quantile's difference of 0 on every seed says: the two read one bucket, not "no difference". */
export const WITHIN_BUCKET = '0 (within one histogram bucket, ~3%, on every seed)';

/**
 * A paired difference: mean [95% CI], Holm-adjusted p, d_z; `(n=k)` when only k of the
 * `common` seeds had the metric at both points, n/a when none did. For a histogram quantile
 * (`histogram`), differences of 0 on every seed are `WITHIN_BUCKET`, not a zero-width interval.
 */
export function pairedCell(d: PairedDifference, common?: number, histogram = false): string {
  if (d.mean === null) return NOT_AVAILABLE;
  if (histogram && d.mean === 0 && d.sd === 0) return WITHIN_BUCKET + over(d.n, common);
  const sign = d.mean > 0 ? '+' : '';
  return `${sign}${fmt(d.mean)} ${bounds(d)} p=${pValue(d.pHolm)} d=${effect(d.effectSize)}${over(d.n, common)}`;
}

/** Seeds that ran at both the point and the baseline. */
export function commonSeeds(r: SweepResult, p: MergedPoint): number {
  const base = new Set(r.points[r.baseline]?.seeds.map(String));
  return p.seeds.filter((s) => base.has(String(s))).length;
}

/** The note under tables with undefined figures: a sweep point (or a pairing) with fewer than 2 seeds. */
export function fewSeedsNote(r: SweepResult): string | undefined {
  const ran = r.points.filter((p) => p.seeds.length > 0);
  const pairs = ran.filter((p) => p.paired).map((p) => commonSeeds(r, p));
  const fewest = Math.min(...ran.map((p) => p.seeds.length), ...pairs);
  if (fewest >= MIN_REPLICATES) return undefined;
  return `${NOT_AVAILABLE}: a 95% interval, t, p and d_z need at least ${MIN_REPLICATES} seeds (${fewest} here); run the sweep with --seeds ${MIN_REPLICATES} or more`;
}

/**
 * The note under tables where a metric is over fewer runs than its point has, or over none, or
 * where `groupsShort` says an agent group's cell is (group-tables.ts's `shortGroupCells`): a
 * run without the metric (a rate with nothing to count, a latency without samples) is left out
 * of its mean, interval and paired difference, never counted as 0.
 */
export function missingValuesNote(
  r: SweepResult,
  keys: readonly string[] = HEADLINE,
  groupsShort = false,
): string | undefined {
  const short =
    groupsShort ||
    r.points.some(
      (p) =>
        p.seeds.length === 0 ||
        keys.some(
          (k) => p.metrics[k]!.n < p.seeds.length || (p.paired && p.paired[k]!.n < commonSeeds(r, p)),
        ),
    );
  if (!short) return undefined;
  return `(n=k): only k of the point's runs had the metric (a rate with nothing to count, a latency without samples); its mean, interval and paired difference are over those runs, never counting the others as 0; ${NOT_AVAILABLE} where no run had it (or none succeeded)`;
}

/** Whether a sweep metric is a proportion (its interval is clipped to [0, 1]). */
function bounded(key: string): boolean {
  return SWEEP_METRICS.find((m) => m.key === key)!.counts !== undefined;
}

function label(key: string): string {
  return SWEEP_METRICS.find((m) => m.key === key)!.label;
}

/** Whether a sweep metric is a histogram quantile (a latency). */
function histogram(key: string): boolean {
  return SWEEP_METRICS.find((m) => m.key === key)!.histogram === true;
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
      ...keys.map((k) => pointCell(p.metrics[k]!, bounded(k), p.seeds.length)),
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
      .map((p) => {
        const common = commonSeeds(r, p);
        return [name(p), String(common), ...keys.map((k) => pairedCell(p.paired[k]!, common, histogram(k)))];
      }),
  };
}

/**
 * Rows: each seller at each point (by name); columns: its share of the payments (`salesShare`)
 * and the paired difference from the baseline. A point with more than `top` sellers lists only
 * its `top` sellers by mean share, largest first (a seller without one last; ties by name).
 */
export function sellerShareTable(
  r: SweepResult,
  name: PointName = byLabel,
  top = Number.POSITIVE_INFINITY,
): { header: string[]; rows: string[][] } {
  const base = r.points[r.baseline];
  return {
    header: [
      'point',
      'seller',
      'share of payments',
      `Δ share of payments vs ${base ? name(base) : 'baseline'}`,
    ],
    rows: r.points.flatMap((p) =>
      topSellers(Object.entries(p.sellers), top).map(([seller, v]) => [
        p.index === r.baseline ? `${name(p)} (baseline)` : name(p),
        seller,
        pointCell(v.salesShare, true, p.seeds.length),
        v.paired ? pairedCell(v.paired, commonSeeds(r, p)) : '',
      ]),
    ),
  };
}

/** `sellers` (by name) when there are at most `top`, else the `top` with the largest mean share. */
function topSellers<T extends [string, SellerShareStats]>(sellers: T[], top: number): T[] {
  if (sellers.length <= top) return sellers;
  const share = (s: T) => s[1].salesShare.mean ?? -1;
  return [...sellers].sort((a, b) => share(b) - share(a) || (a[0] < b[0] ? -1 : 1)).slice(0, top);
}

/** Most sellers a point has: the sellers any run of the sweep paid. */
export function sellersPerPoint(r: SweepResult): number {
  return Math.max(0, ...r.points.map((p) => Object.keys(p.sellers).length));
}
