import type { Summary } from '../metrics/summary.js';
import type { Interval } from '../metrics/stats.js';
import type { PairedDifference } from '../metrics/paired.js';
import { SWEEP_METRICS } from './metrics.js';
import { bySeed, digestRun, runsByPoint, type DigestedRun } from './digest.js';
import { compareAcrossPoints } from './compare.js';
import { groupStats, type GroupAtPoint } from './group-stats.js';
import { GROUP_METRICS, type GroupValues } from './group-metrics.js';
import { sellerShares, type SellerShareStats } from './seller-shares.js';
import type { SweepProvenance } from './provenance.js';

export { SWEEP_METRICS };
export type { DigestedRun };

/**
 * A metric at one grid point across its seeds: the mean of the per-seed values with its 95%
 * t-interval (df = n − 1; null with one value), over the n runs that have the metric (a run
 * without it, such as a rate with nothing to count, is left out; with none the mean is null).
 * A proportion's is the mean of the per-seed rates, clipped to [0, 1], the quantity its paired
 * difference differences; `pooled` gives its counts summed over the seeds, for reference.
 */
export type PointMetric = Interval & { pooled?: { count: number; of: number } };

/** One grid point merged over its seeds. */
export interface MergedPoint {
  index: number;
  label: string;
  overrides: Record<string, unknown>;
  seeds: (string | number)[];
  metrics: Record<string, PointMetric>;
  /** This point minus the baseline, paired over common seeds (absent on the baseline itself). */
  paired?: Record<string, PairedDifference>;
  /** Per agent group its runs had: each group metric with its interval, and its paired difference from the same group at the baseline (the policy comparison). */
  groups: Record<string, GroupAtPoint>;
  /** Per seller (payee): its share of the payments (`salesShare`, not of the money), and its paired difference from the baseline. */
  sellers: Record<string, SellerShareStats>;
  conservationHolds: boolean;
  /** sha256 of the scenario this point's runs ran, without the seed (`scenarioHashWithoutSeed`; null: no run finished); set by `runSweep`. */
  scenarioHash?: string | null;
}

/** The sweep's merged table. */
export interface SweepResult {
  scenario: string;
  axes: { path: string; values: unknown[] }[];
  seeds: (string | number)[];
  /** Index of the point every other point is compared with. */
  baseline: number;
  points: MergedPoint[];
  /** Every run's metric values: the long-format table (one row per point and seed); null where the run has none. */
  runs: {
    point: number;
    seed: string | number;
    values: Record<string, number | null>;
    /** Per agent group the run had: its group metric values (null where it has none). */
    groups: Record<string, GroupValues>;
    conservationHolds: boolean;
  }[];
  /** What ran: the overrides of every point and the code (set by `runSweep`). */
  provenance?: SweepProvenance;
}

/** One finished run of the sweep. */
export interface SweepRun {
  point: number;
  seed: string | number;
  summary: Summary;
}

type GridPoints = { index: number; label: string; overrides: Record<string, unknown> }[];

/** `mergeDigests` of the runs' summaries. */
export function mergeRuns(
  scenario: string,
  axes: SweepResult['axes'],
  points: GridPoints,
  runs: readonly SweepRun[],
  baseline = 0,
): SweepResult {
  const digested = runs.map((r) => ({ point: r.point, seed: r.seed, digest: digestRun(r.summary) }));
  return mergeDigests(scenario, axes, points, digested, baseline);
}

/**
 * Groups runs by grid point (in grid order) and compares each metric across the points
 * (compare.ts): its mean over seeds with a 95% t-interval (seeds are the replication unit; a
 * proportion is the mean of its per-seed rates, clipped to [0, 1]) and each point's paired
 * difference from the baseline over common seeds, Holm-adjusted across the points of each
 * metric; the same per agent group (group-stats.ts) and per seller (seller-shares.ts). A pure
 * function of the per-run digests, in the order given (a sweep gives them in job order).
 */
export function mergeDigests(
  scenario: string,
  axes: SweepResult['axes'],
  points: GridPoints,
  runs: readonly DigestedRun[],
  baseline = 0,
): SweepResult {
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const runsAt = runsByPoint(runs);
  const shares = sellerShares(points, runs, baseline);
  const groups = groupStats(points, runs, baseline);
  const compared = SWEEP_METRICS.map((m) =>
    compareAcrossPoints(
      points,
      runsAt,
      baseline,
      (r) => r.digest.values[m.key] ?? null,
      !!m.counts,
      `sweep metric ${m.key}`,
    ),
  );
  const merged = points.map((p, i): MergedPoint => {
    const mine = runsAt(p.index);
    const metrics: Record<string, PointMetric> = {};
    SWEEP_METRICS.forEach((m, k) => {
      const iv: PointMetric = compared[k]![i]!.interval;
      if (m.counts) iv.pooled = pooled(mine, m.key);
      metrics[m.key] = iv;
    });
    return {
      index: p.index,
      label: p.label,
      overrides: p.overrides,
      seeds: mine.map((r) => r.seed),
      metrics,
      ...(p.index !== baseline && {
        paired: Object.fromEntries(SWEEP_METRICS.map((m, k) => [m.key, compared[k]![i]!.paired!])),
      }),
      groups: groups[p.index]!,
      sellers: shares[p.index]!,
      conservationHolds: mine.every((r) => r.digest.conservationHolds),
    };
  });
  const longRows = [...runs]
    .sort((a, b) => a.point - b.point || bySeed(a, b))
    .map((r) => ({
      point: r.point,
      seed: r.seed,
      values: r.digest.values,
      groups: r.digest.groups,
      conservationHolds: r.digest.conservationHolds,
    }));
  return { scenario, axes, seeds, baseline, points: merged, runs: longRows };
}

/** A proportion's counts summed over the runs. */
function pooled(runs: readonly DigestedRun[], key: string): { count: number; of: number } {
  const [count, of] = runs
    .map((r) => r.digest.counts[key]!)
    .reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
  return { count, of };
}

/** What sweep.csv holds for a metric a run does not have (read as missing by R and pandas). */
export const CSV_MISSING = 'NA';

/**
 * sweep.csv in long format: one row per grid point and seed, one column per
 * override path (the value as JSON unless it is a plain string), one per metric, then
 * conservationHolds, then one per agent group and group metric (`<group>.<metric>`, groups by
 * name); CSV_MISSING where the run has no value.
 */
export function sweepCsv(r: SweepResult): string {
  const paths = r.axes.map((a) => a.path);
  const groups = [...new Set(r.runs.flatMap((run) => Object.keys(run.groups)))].sort();
  const groupCols = groups.flatMap((g) => GROUP_METRICS.map((m) => ({ g, key: m.key })));
  const cols = [
    'point',
    'label',
    'seed',
    ...paths,
    ...SWEEP_METRICS.map((m) => m.key),
    'conservationHolds',
    ...groupCols.map((c) => `${c.g}.${c.key}`),
  ];
  const lines = [cols.map(csvCell).join(',')];
  for (const run of r.runs) {
    const p = r.points[run.point]!;
    const cells: unknown[] = [run.point, p.label, run.seed];
    for (const path of paths) {
      const v = p.overrides[path];
      cells.push(typeof v === 'string' ? v : JSON.stringify(v));
    }
    for (const m of SWEEP_METRICS) cells.push(run.values[m.key] ?? CSV_MISSING);
    cells.push(run.conservationHolds);
    for (const c of groupCols) cells.push(run.groups[c.g]?.[c.key] ?? CSV_MISSING);
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
