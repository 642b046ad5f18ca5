import type { Summary } from '../metrics/summary.js';
import { clipInterval, tInterval, type Interval } from '../metrics/stats.js';
import { holm, pairedDifference, type PairedDifference } from '../metrics/paired.js';
import { SWEEP_METRICS } from './metrics.js';
import { digestRun, runsByPoint, type DigestedRun } from './digest.js';
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
  /** Per agent group: surplus per task, payment success (clipped to [0, 1]) and spend with intervals (the policy comparison). */
  groups: Record<string, { surplusPerTaskMsat: Interval; paymentSuccessRate: Interval; spentMsat: Interval }>;
  /** Per seller (payee): its share of the sales, and its paired difference from the baseline. */
  sellers: Record<string, SellerShareStats>;
  conservationHolds: boolean;
  /** sha256 of the scenario this point's runs ran, as they report it (null: no run finished); set by `runSweep`. */
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

/** A run's value of a metric (null where it has none). */
const valueOf = (r: DigestedRun, key: string): number | null => r.digest.values[key] ?? null;

/**
 * Groups runs by grid point (in grid order), computes each metric's mean
 * over seeds with a 95% t-interval (seeds are the replication unit; a
 * proportion is the mean of its per-seed rates, clipped to [0, 1]), then
 * each point's paired difference from the baseline over common seeds with
 * Holm's correction across the points of each metric. A pure function of
 * the per-run digests, in the order given (a sweep gives them in job order).
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
  // A seed where either run has no value for the metric (null) is not a common seed.
  const bySeed = (point: number, key: string) =>
    new Map(runsAt(point).map((r) => [String(r.seed), valueOf(r, key)]));
  const merged = points.map((p): MergedPoint => {
    const mine = [...runsAt(p.index)].sort((a, b) =>
      String(a.seed).localeCompare(String(b.seed), 'en', { numeric: true }),
    );
    const metrics: Record<string, PointMetric> = {};
    for (const m of SWEEP_METRICS) {
      const iv: PointMetric = tInterval(mine.map((r) => valueOf(r, m.key)));
      if (m.counts) {
        const [count, of] = mine
          .map((r) => r.digest.counts[m.key]!)
          .reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
        clipInterval(iv, 0, 1);
        iv.pooled = { count, of };
      }
      metrics[m.key] = iv;
    }
    return {
      index: p.index,
      label: p.label,
      overrides: p.overrides,
      seeds: mine.map((r) => r.seed),
      metrics,
      ...(p.index !== baseline && {
        paired: Object.fromEntries(
          SWEEP_METRICS.map((m) => {
            const d = pairedDifference(bySeed(p.index, m.key), bySeed(baseline, m.key));
            // A difference of two proportions lies in [-1, 1].
            return [m.key, m.counts ? clipInterval(d, -1, 1) : d];
          }),
        ),
      }),
      groups: groupIntervals(mine),
      sellers: shares[p.index]!,
      conservationHolds: mine.every((r) => r.digest.conservationHolds),
    };
  });
  // Holm over the family of comparisons with the baseline, one family per metric.
  for (const m of SWEEP_METRICS) {
    const arms = merged.filter((p) => p.paired);
    const adjusted = holm(arms.map((p) => p.paired![m.key]!.p));
    arms.forEach((p, i) => (p.paired![m.key]!.pHolm = adjusted[i]!));
  }
  const longRows = [...runs]
    .sort(
      (a, b) => a.point - b.point || String(a.seed).localeCompare(String(b.seed), 'en', { numeric: true }),
    )
    .map((r) => ({
      point: r.point,
      seed: r.seed,
      values: r.digest.values,
      conservationHolds: r.digest.conservationHolds,
    }));
  return { scenario, axes, seeds, baseline, points: merged, runs: longRows };
}

// A group's surplus per task is undefined in a run where it had no tasks, its payment success
// where it tried no payment: those runs are left out, as for the point's own metrics.
function groupIntervals(mine: readonly DigestedRun[]): MergedPoint['groups'] {
  const names = [...new Set(mine.flatMap((r) => Object.keys(r.digest.groups)))].sort();
  const out: MergedPoint['groups'] = {};
  for (const g of names) {
    const present = mine.map((r) => r.digest.groups[g]).filter((x) => x !== undefined);
    out[g] = {
      surplusPerTaskMsat: tInterval(present.map((x) => x.surplusPerTaskMsat)),
      paymentSuccessRate: clipInterval(tInterval(present.map((x) => x.paymentSuccessRate)), 0, 1),
      spentMsat: tInterval(present.map((x) => x.spentMsat)),
    };
  }
  return out;
}

/** What sweep.csv holds for a metric a run does not have (read as missing by R and pandas). */
export const CSV_MISSING = 'NA';

/**
 * sweep.csv in long format: one row per grid point and seed, one column per
 * override path (the value as JSON unless it is a plain string) and one per metric
 * (CSV_MISSING where the run has none).
 */
export function sweepCsv(r: SweepResult): string {
  const paths = r.axes.map((a) => a.path);
  const cols = ['point', 'label', 'seed', ...paths, ...SWEEP_METRICS.map((m) => m.key), 'conservationHolds'];
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
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
