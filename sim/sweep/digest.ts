import type { Summary } from '../metrics/summary.js';
import { SWEEP_METRICS } from './metrics.js';
import { groupValues, type GroupValues } from './group-metrics.js';

/**
 * What the merge of a sweep needs of one run's summary, and nothing else: a sweep keeps this
 * per run (its size, with many sellers or groups larger: `npm run bench -- sweep-merge`) instead
 * of the summary, which it writes to the run's summary.json as the run finishes. Merging digests
 * gives exactly what merging the summaries gives.
 */
export interface RunDigest {
  /** Each SWEEP_METRICS value, in their order (null where the run has none): sweep.json's `runs[].values`. */
  values: Record<string, number | null>;
  /** Each proportion's numerator and denominator, by metric key (summed over seeds as `pooled`). */
  counts: Record<string, [number, number]>;
  conservationHolds: boolean;
  /** Per agent group, its GROUP_METRICS values for the policy comparison (null where the run has none): sweep.json's `runs[].groups`. */
  groups: Record<string, GroupValues>;
  /** Per seller (payee), its sales (paid purchases): every seller the summary lists, 0 included. */
  sales: Record<string, number>;
}

/** One finished run of a sweep as the merge needs it: its grid point, seed and digest. */
export interface DigestedRun {
  point: number;
  seed: string | number;
  digest: RunDigest;
}

/** The seed order every figure is computed in (1, 2, …, 10: numeric, whatever order the runs came in). */
export const bySeed = (a: DigestedRun, b: DigestedRun) =>
  String(a.seed).localeCompare(String(b.seed), 'en', { numeric: true });

/** The runs of each grid point by seed (`bySeed`), each run looked at once. */
export function runsByPoint(runs: readonly DigestedRun[]): (point: number) => readonly DigestedRun[] {
  const at = new Map<number, DigestedRun[]>();
  for (const r of runs) {
    const mine = at.get(r.point);
    if (mine) mine.push(r);
    else at.set(r.point, [r]);
  }
  for (const mine of at.values()) mine.sort(bySeed);
  return (point) => at.get(point) ?? [];
}

/** The digest of a run's summary. */
export function digestRun(s: Summary): RunDigest {
  const counts: RunDigest['counts'] = {};
  for (const m of SWEEP_METRICS) if (m.counts) counts[m.key] = m.counts(s);
  const groups: RunDigest['groups'] = {};
  for (const [name, g] of Object.entries(s.groups)) groups[name] = groupValues(g);
  const sales: RunDigest['sales'] = {};
  for (const [seller, v] of Object.entries(s.market.sellers)) sales[seller] = v.sales;
  return {
    values: Object.fromEntries(SWEEP_METRICS.map((m) => [m.key, m.of(s)])),
    counts,
    conservationHolds: s.conservation.holds,
    groups,
    sales,
  };
}
