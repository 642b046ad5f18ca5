import type { Rng } from '../../../infra/random.js';

/**
 * Gamma and Beta draws from a seeded stream, for Thompson sampling. Gamma
 * uses Marsaglia and Tsang's squeeze method (2000); shapes below 1 are
 * boosted by one and scaled back by U^(1/shape). Beta(a, b) is X / (X + Y)
 * with X ~ Gamma(a), Y ~ Gamma(b).
 */

/** One Gamma(shape, 1) draw; shape must be positive. */
export function gammaDraw(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma shape must be positive, got ${shape}`);
  if (shape < 1) return gammaDraw(rng, shape + 1) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** One Beta(a, b) draw in [0, 1]; both shapes must be positive. */
export function betaDraw(rng: Rng, a: number, b: number): number {
  const x = gammaDraw(rng, a);
  const y = gammaDraw(rng, b);
  return x + y > 0 ? x / (x + y) : 0.5;
}
