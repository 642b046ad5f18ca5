import type { MergedPoint, SweepResult } from './merge.js';
import { GROUP_METRICS, groupMetric, type GroupMetricKey } from './group-metrics.js';
import { commonSeeds, pairedCell, pointCell, type PointName } from './tables.js';

/** The agent groups' tables: each group's metrics at each point, and its paired differences from the baseline. */

type Table = { header: string[]; rows: string[][] };

const byLabel: PointName = (p) => p.label;
const allKeys = GROUP_METRICS.map((m) => m.key);

/** A point's groups by name, the first `top` of them. */
const groupsOf = (p: MergedPoint, top: number) => Object.entries(p.groups).slice(0, top);

/** Rows: each group at each point; columns: the mean [interval] of each group metric in `keys`. */
export function groupPointTable(
  r: SweepResult,
  keys: readonly GroupMetricKey[] = allKeys,
  name: PointName = byLabel,
): Table {
  return {
    header: ['point', 'group', ...keys.map((k) => groupMetric(k).label)],
    rows: r.points.flatMap((p) =>
      groupsOf(p, Number.POSITIVE_INFINITY).map(([g, v]) => [
        p.index === r.baseline ? `${name(p)} (baseline)` : name(p),
        g,
        ...keys.map((k) => pointCell(v[k], groupMetric(k).proportion, p.seeds.length)),
      ]),
    ),
  };
}

/**
 * Rows: each group at each point but the baseline (the first `top` groups of a point, by name);
 * columns: the group's paired difference from the same group at the baseline, per metric.
 */
export function groupPairedTable(
  r: SweepResult,
  keys: readonly GroupMetricKey[] = allKeys,
  name: PointName = byLabel,
  top = Number.POSITIVE_INFINITY,
): Table {
  const base = r.points[r.baseline];
  return {
    header: [
      `vs ${base ? name(base) : 'baseline'}`,
      'group',
      ...keys.map((k) => `Δ ${groupMetric(k).label}`),
    ],
    rows: r.points
      .filter((p) => p.paired !== undefined)
      .flatMap((p) => {
        const common = commonSeeds(r, p);
        return groupsOf(p, top).map(([g, v]) => [
          name(p),
          g,
          ...keys.map((k) => (v.paired ? pairedCell(v.paired[k], common) : '')),
        ]);
      }),
  };
}

/** Most agent groups a point has. */
export function groupsPerPoint(r: SweepResult): number {
  return Math.max(0, ...r.points.map((p) => Object.keys(p.groups).length));
}

/**
 * Whether a group's cell in `keys` is over fewer runs than its point has (its mean, when
 * `means`) or fewer seeds than the pairing (its paired difference): the cell says `(n=k)`.
 */
export function shortGroupCells(r: SweepResult, keys: readonly GroupMetricKey[], means: boolean): boolean {
  return r.points.some((p) =>
    Object.values(p.groups).some((v) =>
      keys.some((k) => (means && v[k].n < p.seeds.length) || (v.paired && v.paired[k].n < commonSeeds(r, p))),
    ),
  );
}
