import { holm, pairedDifference, type PairedDifference } from '../metrics/paired.js';
import { clipInterval, tInterval, type Interval } from '../metrics/stats.js';
import type { DigestedRun } from './digest.js';

/** One quantity at one grid point: its mean over seeds with its interval, and its paired difference from the baseline. */
export interface Compared {
  interval: Interval;
  /** This point minus the baseline over common seeds, Holm-adjusted (absent on the baseline itself). */
  paired?: PairedDifference;
}

/**
 * One quantity of a sweep (a market-wide metric, an agent group's metric, a seller's share)
 * across the grid points, the one implementation of the sweep's statistics: at each point the
 * mean of its per-seed values with the 95% t-interval (a run whose value is null, having
 * nothing to measure, is left out), and at each point but the baseline the paired difference
 * from the baseline over the seeds both have a value for. The p-values are Holm-adjusted over
 * the family of this quantity's comparisons with the baseline (one per other point that has a
 * p): one family per quantity, not across quantities. A `bounded` quantity (a proportion, a
 * share) has its interval clipped to [0, 1] and its difference to [-1, 1]. In `points` order.
 * A value that is not finite is refused (stats.ts `finite`), naming `what` and the point.
 */
export function compareAcrossPoints(
  points: readonly { index: number }[],
  /** Each point's runs by seed (digest.ts's `runsByPoint`). */
  runsAt: (point: number) => readonly DigestedRun[],
  baseline: number,
  value: (r: DigestedRun) => number | null,
  bounded: boolean,
  /** The quantity, as an error names it: `sweep metric welfareMsat`. */
  what: string,
): Compared[] {
  const values = (point: number) => new Map(runsAt(point).map((r) => [String(r.seed), value(r)]));
  const base = values(baseline);
  const out = points.map((p): Compared => {
    const mine = values(p.index);
    const at = `${what} at grid point ${p.index}`;
    const interval = tInterval([...mine.values()], at);
    if (bounded) clipInterval(interval, 0, 1);
    if (p.index === baseline) return { interval };
    const d = pairedDifference(mine, base, at);
    return { interval, paired: bounded ? clipInterval(d, -1, 1) : d };
  });
  const arms = out.flatMap((c) => (c.paired ? [c.paired] : []));
  holm(arms.map((d) => d.p)).forEach((adjusted, i) => (arms[i]!.pHolm = adjusted));
  return out;
}
