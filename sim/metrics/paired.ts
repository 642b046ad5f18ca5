import { MIN_REPLICATES, RunningStats, round, tCritical95 } from './stats.js';
import { tTwoSidedP } from './student-t.js';

/**
 * Comparisons for sweeps whose arms share seeds: paired differences with a
 * paired t-interval, Cohen's d_z, and Holm's step-down correction.
 */

/**
 * One arm minus the baseline, paired over common seeds. With fewer than 2 common seeds
 * the spread, interval, t, p and d_z are undefined: null (JSON null, "n/a").
 */
export interface PairedDifference {
  /** Seeds both arms ran. */
  n: number;
  /** Mean of (arm − baseline) over those seeds; null with none. */
  mean: number | null;
  sd: number | null;
  low: number | null;
  high: number | null;
  halfWidth: number | null;
  /** mean / (sd / √n); with no spread 0 if the mean is 0, else ±UNBOUNDED_RATIO (and p = 0). */
  t: number | null;
  /** Two-sided p-value of t with n − 1 degrees of freedom. */
  p: number | null;
  /** Holm-adjusted p-value (filled in by `holm` over a family of comparisons). */
  pHolm: number | null;
  /** Cohen's d_z: mean / sd of the differences; with no spread 0 if the mean is 0, else ±UNBOUNDED_RATIO. */
  effectSize: number | null;
}

/**
 * The paired difference of `arm` − `baseline` over the seeds both have a value for (a seed
 * missing from either, or whose value is null: a run without the quantity, is left out).
 */
export function pairedDifference(
  arm: ReadonlyMap<string, number | null>,
  baseline: ReadonlyMap<string, number | null>,
): PairedDifference {
  const s = new RunningStats();
  for (const [seed, v] of arm) {
    const b = baseline.get(seed);
    if (v !== null && b !== undefined && b !== null) s.add(v - b);
  }
  if (s.n < MIN_REPLICATES) {
    const none = { sd: null, low: null, high: null, halfWidth: null, t: null, p: null, pHolm: null };
    return { n: s.n, mean: s.n ? round(s.mean) : null, ...none, effectSize: null };
  }
  // Equal differences that floating point leaves 1e-17 apart have no spread (an exact
  // difference), not an effect size of 1e16.
  const sd = s.sd <= NOISE * Math.max(1, Math.abs(s.mean)) ? 0 : s.sd;
  const se = sd / Math.sqrt(s.n);
  const half = tCritical95(s.n - 1) * se;
  // An infinite t (no spread, a mean other than 0) has p = 0; no spread and a mean of 0, t = 0 and p = 1.
  const t = se > 0 ? s.mean / se : s.mean === 0 ? 0 : Math.sign(s.mean) * Infinity;
  const p = round(tTwoSidedP(t, s.n - 1), 6);
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

/** Stands for an infinite t or d_z: at least 2 differences, all equal (no spread), and not 0. */
export const UNBOUNDED_RATIO = 1e9;

/** Holm's step-down adjustment of a family of p-values (same order as given); an undefined p (null) stays null and is not in the family. */
export function holm(ps: readonly (number | null)[]): (number | null)[] {
  const family = ps.flatMap((p, i) => (p === null ? [] : [{ p, i }])).sort((a, b) => a.p - b.p);
  const out = ps.map(() => null as number | null);
  let running = 0;
  family.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (family.length - k) * p));
    out[i] = round(running, 6);
  });
  return out;
}
