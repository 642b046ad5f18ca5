import { LabError } from '../../infra/errors.js';
import { int, plural } from '../report/format.js';
import { sizeSources, type PointWork, type SweepSources } from './plan.js';

/**
 * Most work one sweep is expected to do: the calls and quotes of all its runs (each run's
 * `expectedWork`, sim/scenario/run-work.ts, × the seeds of its grid point). One run is bounded
 * (at most 10,000,000 calls and 10,000,000 quotes, sim/scenario/limits.ts), but a sweep of
 * 100,000 such runs would take years. Runs simulate a few hundred to a few thousand calls (or
 * quotes) a second on each worker thread, so 1,000,000,000 take about a day on a machine of 16
 * cores, a few days on 4: as much as one researcher's machine can give a sweep. For more, split
 * the sweep, or spread it over machines (`--queue`) in parts.
 */
export const MAX_SWEEP_WORK = 1_000_000_000;

/**
 * Refuses, before anything runs, a sweep whose runs are expected to do more than `MAX_SWEEP_WORK`
 * calls and quotes in all (`points`: each grid point's work a run, from `validateGridPoints`),
 * naming the total, the busiest point and what to lower.
 */
export function checkSweepWork(points: readonly PointWork[], seeds: number, from: SweepSources = {}): void {
  // A point whose work cannot be counted (NaN) is over the bound, never dropped.
  const each = points.map((p) => (Number.isNaN(p.work) ? Infinity : p.work));
  const total = each.reduce((a, w) => a + w * seeds, 0);
  if (Math.round(total) <= MAX_SWEEP_WORK) return;
  const top = each.indexOf(Math.max(...each));
  const busiest = points[top]!;
  const runs = points.length * seeds;
  throw new LabError(
    'usage',
    `this sweep (${plural(runs, 'run')}: ${plural(points.length, 'grid point')} × ${plural(seeds, 'seed')})${sizeSources(from)} is expected to make ` +
      `${Number.isFinite(total) ? `about ${int(total)}` : 'uncountably many'} calls and quotes in all, the most at grid point ${busiest.index} (${busiest.label}): about ${int(each[top]!)} a run; ` +
      `more than the ${int(MAX_SWEEP_WORK)} one sweep makes: each run simulates its calls and quotes in turn, a few hundred to a few thousand ` +
      `a second on each worker, so ${int(MAX_SWEEP_WORK)} take a day or more on one machine; use fewer seeds or grid points, lower the ` +
      "busiest points' work (durationSec, arrival rates, counts, calls, registry.searchLimit), or split it into several sweeps",
  );
}
