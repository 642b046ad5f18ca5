import { tQuantile } from './student-t.js';
import { LabError } from '../../infra/errors.js';

/**
 * Small statistics used by the recorder and the sweep merger: streaming mean
 * and variance (Welford), Student-t confidence intervals (quantiles computed
 * from the t distribution, student-t.ts), rounding for stable JSON output.
 */

/** A figure that is NaN or infinite: no mean, spread or rounding of it means anything. */
export type StatsErrorCode = 'not_finite';

/**
 * `x`, refused (LabError('not_finite'), naming `what`) when it is NaN or infinite: a mean, an
 * interval or a table over it would be NaN, or, rounded, a made-up 0.
 */
export function finite(x: number, what: string): number {
  if (Number.isFinite(x)) return x;
  throw new LabError<StatsErrorCode>(
    'not_finite',
    `${what} is ${x}, not a finite number, so no mean, interval or figure can be taken of it: ` +
      'a run never records such a value, so this is a bug; report it with the command that gave it',
  );
}

/** Streaming mean and variance in O(1) memory, of finite values only (`finite`). */
export class RunningStats {
  n = 0;
  mean = 0;
  #m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  /** `what` the values are, named when one is not finite. */
  constructor(readonly what = 'a value') {}

  add(x: number): void {
    finite(x, this.what);
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.#m2 += d * (x - this.mean);
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  /** Sample standard deviation (n − 1); 0 with fewer than two values. */
  get sd(): number {
    return this.n > 1 ? Math.sqrt(this.#m2 / (this.n - 1)) : 0;
  }

  /** Coefficient of variation (sd / mean); 0 when the mean is 0. */
  get cv(): number {
    return this.mean !== 0 ? this.sd / Math.abs(this.mean) : 0;
  }
}

/** Two-sided 95% t critical value for `df` degrees of freedom (exact: the 0.975 quantile of Student's t). */
export function tCritical95(df: number): number {
  return df < 1 ? Number.NaN : tQuantile(0.975, df);
}

/** Fewest values (seeds) a 95% t-interval, a t statistic, a p-value or an effect size needs. */
export const MIN_REPLICATES = 2;

/**
 * A mean with its 95% t-interval across independent runs (seeds). With fewer than
 * MIN_REPLICATES values the spread and the interval are undefined: null (JSON null, "n/a");
 * with none, the mean is undefined too (null), never 0.
 */
export interface Interval {
  /** Values the mean is over: the runs that have the quantity (a run without it is left out). */
  n: number;
  /** Mean of the values; null with none. */
  mean: number | null;
  /** Sample sd (n − 1); null with fewer than 2 values. */
  sd: number | null;
  low: number | null;
  high: number | null;
  halfWidth: number | null;
}

/**
 * Mean and 95% t-interval (df = n − 1) of `values`, leaving out null (a run that has no such
 * value: a rate with nothing to count, a latency without samples); with fewer than 2 values
 * no interval (null), with none no mean either (null). A value that is not finite is refused,
 * naming `what` the values are.
 */
export function tInterval(values: readonly (number | null)[], what = 'a value'): Interval {
  const s = new RunningStats(what);
  for (const v of values) if (v !== null) s.add(v);
  const r = (x: number) => round(x, 6, `the interval of ${what}`);
  if (s.n < MIN_REPLICATES)
    return {
      n: s.n,
      mean: s.n ? r(s.mean) : null,
      sd: null,
      low: null,
      high: null,
      halfWidth: null,
    };
  const half = (tCritical95(s.n - 1) * s.sd) / Math.sqrt(s.n);
  return {
    n: s.n,
    mean: r(s.mean),
    sd: r(s.sd),
    low: r(s.mean - half),
    high: r(s.mean + half),
    halfWidth: r(half),
  };
}

/**
 * Clips an interval to the values its quantity can take: a t-interval on a share or a rate
 * (or on a difference of two) reaches past its bounds when few seeds vary a lot, and a bound
 * outside them says nothing. The mean and the half-width stay as computed; an undefined
 * interval (null bounds) stays undefined.
 */
export function clipInterval<T extends { low: number | null; high: number | null }>(
  iv: T,
  min: number,
  max: number,
): T {
  if (iv.low !== null) iv.low = round(Math.max(min, iv.low));
  if (iv.high !== null) iv.high = round(Math.min(max, iv.high));
  return iv;
}

/**
 * Rounds to `digits` decimals so floating noise never reaches the JSON (and -0 becomes 0); NaN
 * and ±∞ are refused (`finite`, naming `what`), never written as 0.
 */
export function round(x: number, digits = 6, what = 'a figure'): number {
  finite(x, what);
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return r === 0 ? 0 : r;
}

/**
 * a / b rounded, or null when b is 0: a rate or a mean over nothing is undefined (JSON null,
 * "n/a" in tables), never 0, so a run with nothing to measure is not read as one that failed.
 */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : round(a / b);
}

/** Map entries sorted by key (a stable order for output). */
export function sorted<V>(m: Map<string, V>): [string, V][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
