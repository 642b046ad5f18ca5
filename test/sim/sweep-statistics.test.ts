/** The statistics a sweep's comparisons rest on: t quantiles, Holm's adjustment, paired differences. */
import { describe, expect, it } from 'vitest';
import { UNBOUNDED_RATIO, holm, pairedDifference } from '../../sim/metrics/paired.js';
import { pairedCell } from '../../sim/sweep/tables.js';
import { tQuantile } from '../../sim/metrics/student-t.js';
import { RunningStats, round, tInterval } from '../../sim/metrics/stats.js';
import { compareAcrossPoints } from '../../sim/sweep/compare.js';
import type { DigestedRun } from '../../sim/sweep/digest.js';

describe('statistics for comparisons', () => {
  it('computes t quantiles exactly (R: qt(0.975, df))', () => {
    expect(tQuantile(0.975, 1).toFixed(6)).toBe('12.706205');
    expect(tQuantile(0.975, 31).toFixed(6)).toBe('2.039513');
    expect(tQuantile(0.975, 119).toFixed(6)).toBe('1.980100');
  });

  it('adjusts p-values by Holm’s step-down method', () => {
    expect(holm([0.01, 0.04, 0.03, 0.5])).toEqual([0.04, 0.09, 0.09, 0.5]);
  });

  it('treats differences equal up to floating-point noise as having no spread: exact, not an effect size of 1e16', () => {
    // 0.3 − 0.1, 0.6 − 0.4 and 0.9 − 0.7 are 0.2 give or take 1e-16.
    const seeds = (a: number, b: number, c: number) =>
      new Map([
        ['1', a],
        ['2', b],
        ['3', c],
      ]);
    const d = pairedDifference(seeds(0.3, 0.6, 0.9), seeds(0.1, 0.4, 0.7));
    expect([d.mean, d.sd, d.low, d.high, d.t, d.p, d.effectSize]).toEqual([
      0.2,
      0,
      0.2,
      0.2,
      UNBOUNDED_RATIO,
      0,
      UNBOUNDED_RATIO,
    ]);
    expect(pairedCell(d)).toBe('+0.200 [0.200, 0.200] p=<0.001 d=∞');
    const none = pairedDifference(seeds(1, 2, 3), seeds(1, 2, 3));
    expect([none.t, none.p, none.effectSize]).toEqual([0, 1, 0]);
  });

  it('keeps a real spread of 1 msat between differences of 5e9 msat: sd 1 and half-width 2.484138, not 0 with t = 1e9', () => {
    const seeds = (a: number, b: number, c: number) =>
      new Map([
        ['1', a],
        ['2', b],
        ['3', c],
      ]);
    const d = pairedDifference(seeds(5e9, 5e9 + 1, 5e9 + 2), seeds(0, 0, 0));
    expect([d.mean, d.sd, d.low, d.high, d.halfWidth, d.t, d.p, d.effectSize]).toEqual([
      5_000_000_001, 1, 4_999_999_998.515862, 5_000_000_003.484138, 2.484138, 8_660_254_039.576, 0,
      5_000_000_001,
    ]);
  });
});

describe('a figure that is not a finite number', () => {
  const notFinite = (what: string, x: number) => ({
    code: 'not_finite',
    message:
      `${what} is ${x}, not a finite number, so no mean, interval or figure can be taken of it: ` +
      'a run never records such a value, so this is a bug; report it with the command that gave it',
  });

  it('is refused by round, a running mean and a t-interval, naming what it is, never taken as 0', () => {
    expect(() => round(Number.NaN)).toThrow(expect.objectContaining(notFinite('a figure', Number.NaN)));
    expect(() => round(Infinity, 3, 'the mean price')).toThrow(
      expect.objectContaining(notFinite('the mean price', Infinity)),
    );
    expect(() => new RunningStats('latency').add(-Infinity)).toThrow(
      expect.objectContaining(notFinite('latency', -Infinity)),
    );
    expect(() => tInterval([1, Number.NaN, 3], 'welfare')).toThrow(
      expect.objectContaining(notFinite('welfare', Number.NaN)),
    );
  });

  it('stops a comparison across grid points, naming the metric and the point, instead of a mean of 0', () => {
    const run = (point: number, seed: number, v: number): DigestedRun => ({
      point,
      seed,
      digest: { values: { x: v }, counts: {}, conservationHolds: true, groups: {}, sales: {} },
    });
    const runs = [run(0, 1, 10), run(0, 2, 12), run(1, 1, 11), run(1, 2, Number.NaN)];
    const at = (p: number) => runs.filter((r) => r.point === p);
    expect(() =>
      compareAcrossPoints(
        [{ index: 0 }, { index: 1 }],
        at,
        0,
        (r) => r.digest.values.x!,
        false,
        'sweep metric x',
      ),
    ).toThrow(expect.objectContaining(notFinite('sweep metric x at grid point 1', Number.NaN)));
  });
});
