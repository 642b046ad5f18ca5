import type { Rng } from '../../random.js';
import { LabError } from '../../errors.js';

/**
 * A distribution of channel properties (capacities in msat, balance splits
 * as fractions, fees in msat or ppm), drawn from a seeded stream.
 *
 * - `fixed`: always `value`.
 * - `uniform`: in [min, max).
 * - `lognormal`: `median · e^(σ·N(0,1))`, clamped to [min, max] when given:
 *   most channels small, a long tail of large ones (the public graph's capacities).
 * - `pareto`: `scale / U^(1/alpha)` (≥ scale), clamped to max when given: a
 *   power law, heavier-tailed than log-normal for small `alpha`.
 * - `empirical`: one of `values` (weighted by `weights` when given), e.g.
 *   capacities measured from a network snapshot.
 */
export type Distribution =
  | { dist: 'fixed'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'lognormal'; median: number; sigma: number; min?: number; max?: number }
  | { dist: 'pareto'; scale: number; alpha: number; max?: number }
  | { dist: 'empirical'; values: number[]; weights?: number[] };

const bad = (what: string, message: string) => new LabError('invalid_distribution', `${what}: ${message}`);

function finite(v: unknown, what: string, field: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw bad(what, `${field} must be a finite number ≥ ${min}, got ${String(v)}`);
  return v;
}

/** Throws `invalid_distribution` naming the field when `d` cannot be sampled. */
export function checkDistribution(d: Distribution, what: string): Distribution {
  switch (d?.dist) {
    case 'fixed':
      finite(d.value, what, 'value');
      break;
    case 'uniform':
      if (finite(d.max, what, 'max') < finite(d.min, what, 'min'))
        throw bad(what, `max ${d.max} is below min ${d.min}`);
      break;
    case 'lognormal':
      if (finite(d.median, what, 'median') === 0) throw bad(what, 'median must be positive');
      finite(d.sigma, what, 'sigma');
      if (
        d.min !== undefined &&
        d.max !== undefined &&
        finite(d.max, what, 'max') < finite(d.min, what, 'min')
      )
        throw bad(what, `max ${d.max} is below min ${d.min}`);
      break;
    case 'pareto':
      if (finite(d.scale, what, 'scale') === 0) throw bad(what, 'scale must be positive');
      if (finite(d.alpha, what, 'alpha') === 0) throw bad(what, 'alpha must be positive');
      if (d.max !== undefined && finite(d.max, what, 'max') < d.scale)
        throw bad(what, `max ${d.max} is below scale ${d.scale}`);
      break;
    case 'empirical':
      if (!Array.isArray(d.values) || d.values.length === 0)
        throw bad(what, 'values must be a non-empty list');
      d.values.forEach((v, i) => finite(v, what, `values[${i}]`));
      if (d.weights !== undefined) {
        if (!Array.isArray(d.weights) || d.weights.length !== d.values.length)
          throw bad(what, `weights must have one entry per value (${d.values.length})`);
        d.weights.forEach((w, i) => finite(w, what, `weights[${i}]`));
        if (d.weights.reduce((a, w) => a + w, 0) === 0) throw bad(what, 'weights must not all be 0');
      }
      break;
    default:
      throw bad(what, `unknown dist ${JSON.stringify((d as { dist?: unknown })?.dist)}`);
  }
  return d;
}

const clamp = (x: number, lo = -Infinity, hi = Infinity) => Math.min(hi, Math.max(lo, x));

/** One draw (a real number); each kind uses a fixed number of draws from `rng`. */
export function sample(d: Distribution, rng: Rng): number {
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + rng.next() * (d.max - d.min);
    case 'lognormal':
      return clamp(d.median * Math.exp(rng.normal(0, d.sigma)), d.min, d.max);
    case 'pareto':
      // 1 − next() is in (0, 1]: never a division by zero.
      return clamp(d.scale / Math.pow(1 - rng.next(), 1 / d.alpha), d.scale, d.max);
    case 'empirical': {
      if (!d.weights) return d.values[rng.int(d.values.length)]!;
      let x = rng.next() * d.weights.reduce((a, w) => a + w, 0);
      for (let i = 0; i < d.values.length; i++) {
        x -= d.weights[i]!;
        if (x < 0) return d.values[i]!;
      }
      return d.values[d.values.length - 1]!;
    }
  }
}

/** A draw rounded to a whole number ≥ `min` (msat, ppm): money never carries fractions. */
export function sampleInt(d: Distribution, rng: Rng, min = 0): number {
  return Math.max(min, Math.round(sample(d, rng)));
}

/** A draw clamped to [0, 1] (a balance split: the funder's share of the capacity). */
export function sampleFraction(d: Distribution, rng: Rng): number {
  return clamp(sample(d, rng), 0, 1);
}
