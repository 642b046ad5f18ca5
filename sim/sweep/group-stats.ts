import type { PairedDifference } from '../metrics/paired.js';
import type { Interval } from '../metrics/stats.js';
import { compareAcrossPoints } from './compare.js';
import { runsByPoint, type DigestedRun } from './digest.js';
import { GROUP_METRICS, type GroupMetricKey } from './group-metrics.js';

/**
 * One agent group at one grid point (sweep.json's `points[].groups.<name>`): each GROUP_METRICS
 * value's mean over seeds with its 95% t-interval, and `paired`, the group's paired difference
 * from the same group at the baseline point (absent on the baseline).
 */
export type GroupAtPoint = Record<GroupMetricKey, Interval> & {
  paired?: Record<GroupMetricKey, PairedDifference>;
};

/** The groups any run of the sweep had, by name. */
function groupNames(runs: readonly DigestedRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(r.digest.groups)))].sort();
}

/**
 * Per grid point, each agent group its runs had, compared across the points as the market-wide
 * metrics are (compare.ts): a run without the group, or where the group has nothing to measure
 * (null), is left out, and Holm adjusts each group's metric over the points compared with the
 * baseline: one family per group and metric.
 */
export function groupStats(
  points: readonly { index: number }[],
  runs: readonly DigestedRun[],
  baseline: number,
): Record<number, Record<string, GroupAtPoint>> {
  const runsAt = runsByPoint(runs);
  const out: Record<number, Record<string, GroupAtPoint>> = {};
  for (const p of points) out[p.index] = {};
  for (const name of groupNames(runs)) {
    const has = points.map((p) => runsAt(p.index).some((r) => r.digest.groups[name] !== undefined));
    const compared = GROUP_METRICS.map((m) => {
      const value = (r: DigestedRun) => r.digest.groups[name]?.[m.key] ?? null;
      return compareAcrossPoints(points, runsAt, baseline, value, m.proportion, `group ${name}'s ${m.key}`);
    });
    const at = (i: number): GroupAtPoint => {
      const entry = (f: (k: number) => unknown) =>
        Object.fromEntries(GROUP_METRICS.map((m, k) => [m.key, f(k)]));
      const intervals = entry((k) => compared[k]![i]!.interval) as Record<GroupMetricKey, Interval>;
      if (points[i]!.index === baseline) return intervals;
      return {
        ...intervals,
        paired: entry((k) => compared[k]![i]!.paired!) as Record<GroupMetricKey, PairedDifference>,
      };
    };
    points.forEach((p, i) => {
      if (has[i]) out[p.index]![name] = at(i);
    });
  }
  return out;
}
