/** The statistics a sweep's comparisons rest on: t quantiles, Holm's adjustment, paired differences. */
import { describe, expect, it } from 'vitest';
import { UNBOUNDED_RATIO, holm, pairedDifference } from '../../sim/metrics/paired.js';
import { pairedCell } from '../../sim/sweep/tables.js';
import { tQuantile } from '../../sim/metrics/student-t.js';

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
});
