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
 * missing from either, or whose value is null: a run without the quantity, is left out). A
 * value that is not finite is refused, naming `what` is compared.
 */
export function pairedDifference(
  arm: ReadonlyMap<string, number | null>,
  baseline: ReadonlyMap<string, number | null>,
  what = 'a value',
): PairedDifference {
  const s = new RunningStats(`${what} minus the baseline`);
  let scale = 0;
  for (const [seed, v] of arm) {
    const b = baseline.get(seed);
    if (v === null || b === undefined || b === null) continue;
    s.add(v - b);
    scale = Math.max(scale, Math.abs(v), Math.abs(b));
  }
  const r = (x: number) => round(x, 6, `the paired difference of ${what}`);
  if (s.n < MIN_REPLICATES) {
    const none = { sd: null, low: null, high: null, halfWidth: null, t: null, p: null, pHolm: null };
    return { n: s.n, mean: s.n ? r(s.mean) : null, ...none, effectSize: null };
  }
  // Differences no further apart than floating point puts equal ones have no spread (an exact
  // difference), not an effect size of 1e16: 0.3 − 0.1 and 0.6 − 0.4 differ by 1e-16.
  const sd = s.max - s.min <= FLOAT_SLACK * scale ? 0 : s.sd;
  const se = sd / Math.sqrt(s.n);
  const half = tCritical95(s.n - 1) * se;
  // An infinite t (no spread, a mean other than 0) has p = 0; no spread and a mean of 0, t = 0 and p = 1.
  const t = se > 0 ? s.mean / se : s.mean === 0 ? 0 : Math.sign(s.mean) * Infinity;
  const p = r(tTwoSidedP(t, s.n - 1));
  return {
    n: s.n,
    mean: r(s.mean),
    sd: r(sd),
    low: r(s.mean - half),
    high: r(s.mean + half),
    halfWidth: r(half),
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

/**
 * How far apart, relative to the largest value compared (`scale`), floating point can put two
 * differences that are equal in decimals. Each value is the double nearest its decimal (a figure
 * rounded to 6 places, an msat sum), within ε/2 of it relatively, and the subtraction rounds once
 * more, so a difference is within 2ε·scale of its decimal and two equal ones within 4ε·scale. A
 * real spread is never taken for noise: integer msat below 2^53 subtract exactly, so 1 msat apart
 * at 5e9 msat (4ε·5e9 ≈ 4e-6) is a spread.
 */
const FLOAT_SLACK = 4 * Number.EPSILON;

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
