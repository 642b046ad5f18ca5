import { RunningStats, round, tCritical95 } from './stats.js';
import { tTwoSidedP } from './student-t.js';

/**
 * Comparisons for sweeps whose arms share seeds: paired differences with a
 * paired t-interval, Cohen's d_z, Holm's step-down correction, and Wilson
 * score intervals for proportions.
 */

/** One arm minus the baseline, paired over common seeds. */
export interface PairedDifference {
  /** Seeds both arms ran. */
  n: number;
  /** Mean of (arm − baseline) over those seeds. */
  mean: number;
  sd: number;
  low: number;
  high: number;
  halfWidth: number;
  /** mean / (sd / √n); with no spread 0 if the mean is 0, else ±UNBOUNDED_RATIO. */
  t: number;
  /** Two-sided p-value of t with n − 1 degrees of freedom. */
  p: number;
  /** Holm-adjusted p-value (filled in by `holm` over a family of comparisons). */
  pHolm: number;
  /** Cohen's d_z: mean / sd of the differences; with no spread 0 if the mean is 0, else ±UNBOUNDED_RATIO. */
  effectSize: number;
}

/** The paired difference of `arm` − `baseline` over the seeds both have. */
export function pairedDifference(
  arm: ReadonlyMap<string, number>,
  baseline: ReadonlyMap<string, number>,
): PairedDifference {
  const s = new RunningStats();
  for (const [seed, v] of arm) {
    const b = baseline.get(seed);
    if (b !== undefined) s.add(v - b);
  }
  // Equal differences that floating point leaves 1e-17 apart have no spread (an exact
  // difference), not an effect size of 1e16.
  const sd = s.sd <= NOISE * Math.max(1, Math.abs(s.mean)) ? 0 : s.sd;
  const se = s.n > 1 ? sd / Math.sqrt(s.n) : 0;
  const half = s.n > 1 ? tCritical95(s.n - 1) * se : 0;
  const t = se > 0 ? s.mean / se : s.mean === 0 ? 0 : Math.sign(s.mean) * Infinity;
  const p = round(s.n > 1 ? tTwoSidedP(t, s.n - 1) : 1, 6);
  return {
    n: s.n,
    mean: round(s.mean),
    sd: round(sd),
    low: round(s.mean - half),
    high: round(s.mean + half),
    halfWidth: round(half),
    t: ratio(s.mean, se, 3),
    p,
    pHolm: p,
    effectSize: ratio(s.mean, sd, 3),
  };
}

/**
 * mean / spread, rounded; with no spread the ratio is exact and infinite
 * unless the mean is 0, written as ±UNBOUNDED_RATIO (JSON has no infinity).
 */
function ratio(mean: number, spread: number, digits: number): number {
  if (spread > 0) return round(mean / spread, digits);
  return mean === 0 ? 0 : Math.sign(mean) * UNBOUNDED_RATIO;
}

/** A spread this small relative to the mean is floating-point noise. */
const NOISE = 1e-9;

/** Stands for an infinite t or d_z: the differences have no spread and a mean other than 0. */
export const UNBOUNDED_RATIO = 1e9;

/** Holm's step-down adjustment of a family of p-values (same order as given). */
export function holm(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (ps.length - k) * p));
    out[i] = round(running, 6);
  });
  return out;
}

/** Wilson score 95% interval of a proportion `successes / trials` (always inside [0, 1]). */
export function wilson(successes: number, trials: number): { p: number; low: number; high: number } {
  if (trials === 0) return { p: 0, low: 0, high: 1 };
  const z = 1.959963984540054;
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return { p: round(p), low: round(Math.max(0, centre - half)), high: round(Math.min(1, centre + half)) };
}
