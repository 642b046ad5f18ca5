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
  it('draw a log-normal whose median is the one asked for, with a long right tail', () => {
    const d = draws(lognormalLatency(40, 0.5));
    expect(d[d.length / 2]!).toBeGreaterThan(38);
    expect(d[d.length / 2]!).toBeLessThan(42);
    expect(d[Math.floor(d.length * 0.99)]!).toBeGreaterThan(2.5 * 40); // e^(2.33·0.5) ≈ 3.2
    expect(d[0]!).toBeGreaterThan(0);
  });

  it('draw uniformly within the bounds', () => {
    const d = draws(uniformLatency(10, 30));
    expect(d[0]!).toBeGreaterThanOrEqual(10);
    expect(d[d.length - 1]!).toBeLessThan(30);
    expect(d[d.length / 2]!).toBeCloseTo(20, 0);
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
