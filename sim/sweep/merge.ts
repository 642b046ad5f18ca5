import type { Summary } from '../metrics/summary.js';
import { tInterval, type Interval } from '../metrics/stats.js';

/** Metrics a sweep compares across grid points, each taken from one run's summary. */
export const SWEEP_METRICS: { key: string; label: string; of: (s: Summary) => number }[] = [
  { key: 'successRate', label: 'success rate', of: (s) => s.purchases.successRate },
  { key: 'purchases', label: 'purchases', of: (s) => s.purchases.total },
  { key: 'spentMsat', label: 'spent (msat)', of: (s) => s.money.spentMsat },
  { key: 'feesMsat', label: 'fees (msat)', of: (s) => s.money.feesMsat },
  { key: 'welfareMsat', label: 'welfare (msat)', of: (s) => s.welfare.welfareMsat },
  { key: 'welfarePerTaskMsat', label: 'welfare per task (msat)', of: (s) => s.welfare.perTaskMsat },
  { key: 'tasksDone', label: 'tasks done', of: (s) => s.welfare.done },
  { key: 'latencyP50', label: 'latency p50 (ms)', of: (s) => s.latency.total.p50 },
  { key: 'latencyP95', label: 'latency p95 (ms)', of: (s) => s.latency.total.p95 },
  { key: 'latencyP99', label: 'latency p99 (ms)', of: (s) => s.latency.total.p99 },
  { key: 'tokenReuseRate', label: 'token reuse', of: (s) => s.purchases.tokenReuseRate },
  { key: 'priceCv', label: 'price dispersion (mean CV)', of: (s) => meanCv(s) },
];

function meanCv(s: Summary): number {
  const cvs = Object.values(s.prices).map((p) => p.cv);
  return cvs.length ? cvs.reduce((a, b) => a + b, 0) / cvs.length : 0;
}

/** One grid point merged over its seeds. */
export interface MergedPoint {
  index: number;
  label: string;
  overrides: Record<string, unknown>;
  seeds: (string | number)[];
  metrics: Record<string, Interval>;
  /** Per agent group: welfare per task and success rate with intervals (the policy comparison). */
  groups: Record<string, { welfarePerTaskMsat: Interval; successRate: Interval; spentMsat: Interval }>;
  conservationHolds: boolean;
}

/** The sweep's merged table. */
export interface SweepResult {
  scenario: string;
  axes: { path: string; values: unknown[] }[];
  seeds: (string | number)[];
  points: MergedPoint[];
}

/** One finished run of the sweep. */
export interface SweepRun {
  point: number;
  seed: string | number;
  summary: Summary;
}

/** Groups runs by grid point (in grid order) and computes 95% t-intervals across seeds. */
export function mergeRuns(
  scenario: string,
  axes: SweepResult['axes'],
  points: { index: number; label: string; overrides: Record<string, unknown> }[],
  runs: readonly SweepRun[],
): SweepResult {
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const merged = points.map((p): MergedPoint => {
    const mine = runs
      .filter((r) => r.point === p.index)
      .sort((a, b) => String(a.seed).localeCompare(String(b.seed), 'en', { numeric: true }));
    const metrics: Record<string, Interval> = {};
    for (const m of SWEEP_METRICS) metrics[m.key] = tInterval(mine.map((r) => m.of(r.summary)));
    const groupNames = [...new Set(mine.flatMap((r) => Object.keys(r.summary.groups)))].sort();
    const groups: MergedPoint['groups'] = {};
    for (const g of groupNames) {
      const present = mine.map((r) => r.summary.groups[g]).filter((x) => x !== undefined);
      groups[g] = {
        welfarePerTaskMsat: tInterval(present.map((x) => x.welfarePerTaskMsat)),
        successRate: tInterval(present.map((x) => x.successRate)),
        spentMsat: tInterval(present.map((x) => x.spentMsat + x.feesMsat)),
      };
    }
    return {
      index: p.index,
      label: p.label,
      overrides: p.overrides,
      seeds: mine.map((r) => r.seed),
      metrics,
      groups,
      conservationHolds: mine.every((r) => r.summary.conservation.holds),
    };
  });
  return { scenario, axes, seeds, points: merged };
}

/** The merged table as CSV: one row per grid point, mean and interval bounds per metric. */
export function sweepCsv(r: SweepResult): string {
  const cols = [
    'point',
    'label',
    'seeds',
    ...SWEEP_METRICS.flatMap((m) => [m.key, `${m.key}Low`, `${m.key}High`]),
    'conservationHolds',
  ];
  const lines = [cols.join(',')];
  for (const p of r.points) {
    const cells: (string | number | boolean)[] = [
      p.index,
      `"${p.label.replace(/"/g, '""')}"`,
      p.seeds.length,
    ];
    for (const m of SWEEP_METRICS) {
      const iv = p.metrics[m.key]!;
      cells.push(iv.mean, iv.low, iv.high);
    }
    cells.push(p.conservationHolds);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
