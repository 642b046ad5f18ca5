import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import {
  fixedLatency,
  lognormalLatency,
  uniformLatency,
  zeroLatency,
} from '../../infra/lightning/simnet/index.js';

const draws = (m: { hopMs(r: ReturnType<typeof createRng>): number }, n = 20_000) => {
  const rng = createRng('latency');
  return Array.from({ length: n }, () => m.hopMs(rng)).sort((a, b) => a - b);
};

describe('latency models', () => {
  /** Min, median, 99th percentile and max of sorted draws. */
  const shape = (d: number[]) => [d[0], d[d.length / 2], d[Math.floor(d.length * 0.99)], d.at(-1)];

  it('draw a log-normal (median 40 ms, σ 0.5): seeded min 6.3, median 40.1, p99 129.0 (3.2× the median: a long right tail), max 258.2 ms', () => {
    const drawn = shape(draws(lognormalLatency(40, 0.5)));
    const [, median, p99] = drawn;
    expect(drawn).toEqual([6.278986962346243, 40.149645766141, 129.02533201891492, 258.2319674366225]);
    // The shape the model promises, to the tenth 20,000 draws resolve: median / 40 = 1, p99 / median = e^(2.326·0.5) = 3.2.
    expect([median! / 40, p99! / median!].map((x) => Number(x.toFixed(1)))).toEqual([1, 3.2]);
  });

  it('draw uniformly within the bounds (10-30 ms): seeded min 10.003, median 20.105, p99 29.798, max 29.9998', () => {
    expect(shape(draws(uniformLatency(10, 30)))).toEqual([
      10.002548936754465, 20.104777324013412, 29.797807685099542, 29.999782722443342,
    ]);
  });

  it('give the fixed and zero delays they promise', () => {
    expect(draws(fixedLatency(7), 10)).toEqual(new Array(10).fill(7));
    expect(draws(zeroLatency(), 10)).toEqual(new Array(10).fill(0));
  });

  const bad: [string, () => unknown][] = [
    ['a negative fixed delay', () => fixedLatency(-1)],
    ['a NaN median', () => lognormalLatency(Number.NaN)],
    ['bounds the wrong way round', () => uniformLatency(30, 10)],
    ['an infinite bound', () => uniformLatency(0, Infinity)],
  ];
  for (const [name, make] of bad) it(`refuse ${name}`, () => expect(make).toThrow(RangeError));
});
