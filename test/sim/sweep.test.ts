import { describe, expect, it } from 'vitest';
import { expandGrid, parseGridArgs } from '../../sim/sweep/grid.js';
import { mergeRuns, sweepCsv, type SweepRun } from '../../sim/sweep/merge.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';
import type { Summary } from '../../sim/metrics/summary.js';

describe('sweep grid', () => {
  it('expands axes into their cartesian product, last axis fastest', () => {
    const axes = parseGridArgs(['buyers[0].decider.name=cheapest,random', 'durationSec=10,20']);
    expect(expandGrid(axes).map((p) => p.label)).toEqual([
      'buyers[0].decider.name=cheapest, durationSec=10',
      'buyers[0].decider.name=cheapest, durationSec=20',
      'buyers[0].decider.name=random, durationSec=10',
      'buyers[0].decider.name=random, durationSec=20',
    ]);
  });

  it('labels points by their values, so two points that differ only in a parameter get different labels', () => {
    const [axis] = parseGridArgs([
      'buyers[0].policy={name: budget_window, params: {limitMsat: 15000, window: minute}},{name: budget_window, params: {limitMsat: 30000, window: minute}}',
    ]);
    expect(expandGrid([axis!]).map((p) => p.label)).toEqual([
      'buyers[0].policy=budget_window(limitMsat=15000, window=minute)',
      'buyers[0].policy=budget_window(limitMsat=30000, window=minute)',
    ]);
  });

  it('keeps flow objects whole when splitting values', () => {
    const [axis] = parseGridArgs([
      'buyers[0].policy={name: allow_all},{name: max_per_request, params: {maxMsat: 5}}',
    ]);
    expect(axis!.values).toEqual([
      { name: 'allow_all' },
      { name: 'max_per_request', params: { maxMsat: 5 } },
    ]);
    expect(expandGrid([axis!]).map((p) => p.label)).toEqual([
      'buyers[0].policy=allow_all',
      'buyers[0].policy=max_per_request(maxMsat=5)',
    ]);
  });
});

describe('sweep merge', () => {
  const golden = JSON.parse(
    readGolden(GOLDEN_CASES.find((c) => c.scenario === 'policy-benchmark')!)!,
  ) as Summary;
  // A real summary with the figures under test replaced.
  const run = (point: number, seed: number, surplus: number, paid: [number, number]): SweepRun => ({
    point,
    seed,
    summary: {
      ...golden,
      welfare: { ...golden.welfare, buyerSurplusMsat: surplus },
      purchases: {
        ...golden.purchases,
        paymentsSucceeded: paid[0],
        paymentsAttempted: paid[1],
        paymentSuccessRate: paid[0] / paid[1],
      },
    },
  });
  const points = [
    { index: 0, label: 'a', overrides: {} },
    { index: 1, label: 'b', overrides: {} },
    { index: 2, label: 'c', overrides: {} },
  ];
  const r = mergeRuns('x', [], points, [
    run(0, 1, 100, [9, 10]),
    run(0, 2, 120, [8, 10]),
    run(0, 3, 110, [10, 10]),
    run(1, 1, 105, [1, 2]),
    run(1, 2, 130, [0, 2]),
    run(1, 3, 112, [2, 2]),
    run(2, 1, 100, [9, 10]),
    run(2, 2, 120, [8, 10]),
    run(2, 3, 110, [10, 10]),
  ]);
  const t2 = 4.302652729749464; // qt(0.975, 2)

  it('computes a mean with its exact 95% t-interval across seeds for each point', () => {
    const w = r.points[0]!.metrics.buyerSurplusMsat!;
    expect(w.mean).toBe(110);
    expect(w.sd).toBe(10);
    expect(w.halfWidth).toBe(Number(((t2 * 10) / Math.sqrt(3)).toFixed(6)));
  });

  it('pairs each point with the baseline over common seeds: mean difference, paired t-interval, t, d_z', () => {
    const d = r.points[1]!.paired!.buyerSurplusMsat!;
    // Differences 5, 10, 2: mean 17/3, sd √(49/3).
    const sd = Math.sqrt(49 / 3);
    expect(d.n).toBe(3);
    expect(d.mean).toBe(Number((17 / 3).toFixed(6)));
    expect(d.sd).toBe(Number(sd.toFixed(6)));
    expect(d.halfWidth).toBe(Number(((t2 * sd) / Math.sqrt(3)).toFixed(6)));
    expect(d.t).toBe(Number((17 / 3 / (sd / Math.sqrt(3))).toFixed(3)));
    expect(d.effectSize).toBe(Number((17 / 3 / sd).toFixed(3)));
    expect(r.points[0]!.paired).toBeUndefined();
  });

  it('adjusts the p-values of the comparisons with the baseline by Holm’s method', () => {
    const b = r.points[1]!.paired!.buyerSurplusMsat!;
    const c = r.points[2]!.paired!.buyerSurplusMsat!;
    // c equals the baseline on every seed: p = 1; b is the smaller p and is doubled.
    expect(c.p).toBe(1);
    expect(b.pHolm).toBe(Number(Math.min(1, 2 * b.p!).toFixed(6)));
    expect(c.pHolm).toBe(1);
  });

  it('gives a proportion the mean of its per-seed rates with a t-interval clipped to [0, 1], and its pooled counts', () => {
    // Point b: rates 0.5, 0, 1 over seeds 1-3 (3 of 6 payments pooled): mean 0.5, sd 0.5.
    const half = Number(((t2 * 0.5) / Math.sqrt(3)).toFixed(6));
    expect(r.points[1]!.metrics.paymentSuccessRate).toEqual({
      n: 3,
      mean: 0.5,
      sd: 0.5,
      low: 0,
      high: 1,
      halfWidth: half,
      pooled: { count: 3, of: 6 },
    });
  });

  it('differences the point values themselves: Δ of a proportion = point − baseline when the seeds are the same', () => {
    const a = r.points[0]!.metrics.paymentSuccessRate!;
    const b = r.points[1]!.metrics.paymentSuccessRate!;
    // Baseline rates 0.9, 0.8, 1 (mean 0.9); point b 0.5 (above): Δ −0.4 = 0.5 − 0.9.
    expect([a.mean, b.mean, r.points[1]!.paired!.paymentSuccessRate!.mean]).toEqual([0.9, 0.5, -0.4]);
  });

  it('clips the paired t-interval of a proportion to [-1, 1], keeping its mean and half-width', () => {
    // Point b minus the baseline, payment success per seed: 0.5-0.9, 0-0.8, 1-1 = -0.4, -0.8, 0.
    const d = r.points[1]!.paired!.paymentSuccessRate!;
    const half = Number(((t2 * 0.4) / Math.sqrt(3)).toFixed(6));
    expect([d.mean, d.sd, d.halfWidth]).toEqual([-0.4, 0.4, half]);
    expect([d.low, d.high]).toEqual([-1, Number((-0.4 + half).toFixed(6))]);
  });

  it('clips a seller share’s t-interval to [0, 1] and its paired difference to [-1, 1]', () => {
    // One seller sells all on seeds 2 and 3 of point 1 and nothing on seed 1; the baseline the reverse.
    const seller = Object.keys(golden.market.sellers)[0]!;
    const withShare = (point: number, seed: number, sold: boolean): SweepRun => ({
      point,
      seed,
      summary: {
        ...golden,
        market: {
          ...golden.market,
          sellers: Object.fromEntries(
            Object.entries(golden.market.sellers).map(([s, v]) => [
              s,
              { ...v, sales: (s === seller) === sold ? 10 : 0 },
            ]),
          ),
        },
      },
    });
    const m = mergeRuns('x', [], points.slice(0, 2), [
      withShare(0, 1, true),
      withShare(0, 2, false),
      withShare(0, 3, false),
      withShare(1, 1, false),
      withShare(1, 2, true),
      withShare(1, 3, true),
    ]);
    const s = m.points[1]!.sellers[seller]!;
    // Shares 0, 1, 1: mean 2/3, sd 1/sqrt(3); the t-interval alone would be [-0.77, 2.10].
    const half = Number(((t2 * Math.sqrt(1 / 3)) / Math.sqrt(3)).toFixed(6));
    expect([s.salesShare.mean, s.salesShare.halfWidth, s.salesShare.low, s.salesShare.high]).toEqual([
      0.666667,
      half,
      0,
      1,
    ]);
    // Differences -1, 1, 1: mean 1/3, sd 2/sqrt(3); the t-interval alone would be [-2.54, 3.20].
    expect([s.paired!.mean, s.paired!.low, s.paired!.high]).toEqual([0.333333, -1, 1]);
  });

  it('carries negotiation savings and failure to agree, from the negotiation golden (85,800 msat saved, 12 of 44 failed)', () => {
    const negotiated = JSON.parse(
      readGolden(GOLDEN_CASES.find((c) => c.scenario === 'negotiation')!)!,
    ) as Summary;
    const m = mergeRuns('x', [], points.slice(0, 1), [{ point: 0, seed: 1, summary: negotiated }]).points[0]!
      .metrics;
    expect(m.negotiationSavingsMsat!.mean).toBe(85_800);
    expect(m.negotiationFailureRate).toMatchObject({
      n: 1,
      mean: Number((12 / 44).toFixed(6)),
      pooled: { count: 12, of: 44 },
    });
    // A run without negotiation counts 0 saved and no negotiations.
    const none = r.points[0]!.metrics;
    expect([none.negotiationSavingsMsat!.mean, none.negotiationFailureRate!.pooled]).toEqual([
      0,
      { count: 0, of: 0 },
    ]);
  });

  it('writes sweep.csv in long format: one row per point and seed with override columns', () => {
    const axes = [{ path: 'buyers[0].policy', values: [{ name: 'allow_all' }] }];
    const one = mergeRuns(
      'x',
      axes,
      [
        {
          index: 0,
          label: 'buyers[0].policy=allow_all',
          overrides: { 'buyers[0].policy': { name: 'allow_all' } },
        },
      ],
      [run(0, 1, 100, [9, 10]), run(0, 2, 120, [8, 10])],
    );
    const lines = sweepCsv(one).trim().split('\n');
    expect(lines[0]!.startsWith('point,label,seed,buyers[0].policy,paymentSuccessRate,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual([
      '0,buyers[0].policy=allow_all,1,"{""name"":""allow_all""}",0.9',
      '0,buyers[0].policy=allow_all,2,"{""name"":""allow_all""}",0.8',
    ]);
  });
});
