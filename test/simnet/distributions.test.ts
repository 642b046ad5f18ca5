import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import {
  checkDistribution,
  sampleFraction,
  sampleInt,
  type Distribution,
} from '../../infra/lightning/simnet/index.js';
import { LabError } from '../../infra/errors.js';

const draws = (d: Distribution, n: number, seed = 3) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => sampleInt(d, rng));
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const count = (xs: number[], pred: (x: number) => boolean) => xs.filter(pred).length;

describe('channel distributions (seed 3)', () => {
  it('lognormal: these exact draws, sample median 979,991 for median 1,000,000', () => {
    const xs = draws({ dist: 'lognormal', median: 1_000_000, sigma: 1 }, 2001);
    expect(xs.slice(0, 3)).toEqual([1_597_987, 524_788, 5_967_104]);
    expect(median(xs)).toBe(979_991);
  });

  it('lognormal with bounds: every draw within [min, max], the tails piled on the bounds', () => {
    const xs = draws({ dist: 'lognormal', median: 1_000_000, sigma: 2, min: 100_000, max: 5_000_000 }, 2001);
    expect([Math.min(...xs), Math.max(...xs)]).toEqual([100_000, 5_000_000]);
    expect([count(xs, (x) => x === 100_000), count(xs, (x) => x === 5_000_000)]).toEqual([254, 418]);
  });

  it('pareto: never below scale; median 1,406 (theory 1,414) and 509 of 2,001 above 2×scale (theory 25%)', () => {
    const xs = draws({ dist: 'pareto', scale: 1000, alpha: 2 }, 2001);
    expect(xs.slice(0, 3)).toEqual([1095, 3044, 1478]);
    expect(Math.min(...xs)).toBe(1000);
    expect(median(xs)).toBe(1406);
    expect(count(xs, (x) => x > 2000)).toBe(509);
  });

  it('empirical: only listed values, in proportion to their weights (a zero weight is never drawn)', () => {
    const xs = draws({ dist: 'empirical', values: [10, 20, 30], weights: [1, 0, 3] }, 1000);
    expect([10, 20, 30].map((v) => count(xs, (x) => x === v))).toEqual([256, 0, 744]);
  });

  it('uniform: these exact draws, all within [min, max] after rounding', () => {
    const xs = draws({ dist: 'uniform', min: 100, max: 200 }, 1000);
    expect(xs.slice(0, 3)).toEqual([117, 189, 154]);
    expect([Math.min(...xs), Math.max(...xs)]).toEqual([100, 200]);
  });

  it('a balance split is clamped to [0, 1]: the third lognormal draw, 2.98, becomes 1', () => {
    const rng = createRng(3);
    const xs = [1, 2, 3].map(() => sampleFraction({ dist: 'lognormal', median: 0.5, sigma: 1 }, rng));
    // Unclamped, the same stream draws 0.7989935344377912, 0.26239407352962024, 2.983551811178307.
    expect(xs).toEqual([0.7989935344377912, 0.26239407352962024, 1]);
  });

  it.each([
    [{ dist: 'uniform', min: 5, max: 1 }, 'max 1 is below min 5'],
    [{ dist: 'lognormal', median: 0, sigma: 1 }, 'median must be positive'],
    [{ dist: 'pareto', scale: 10, alpha: 1, max: 5 }, 'max 5 is below scale 10'],
    [{ dist: 'empirical', values: [] }, 'values must be a non-empty list'],
    [{ dist: 'empirical', values: [1, 2], weights: [1] }, 'weights must have one entry per value (2)'],
    [{ dist: 'gamma' }, 'unknown dist "gamma"'],
  ])('refuses %j naming the problem', (d, message) => {
    expect(() => checkDistribution(d as Distribution, 'capacity')).toThrow(LabError);
    expect(() => checkDistribution(d as Distribution, 'capacity')).toThrow(`capacity: ${message}`);
  });
});
