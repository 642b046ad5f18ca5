import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pairedDifference } from '../../sim/metrics/paired.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';
import { figure, tmp } from './figure-script.js';

/**
 * reputation: one seller (taker, 1500 msat, the cheapest) takes the money,
 * answers 500 and keeps the call (its `L402-Calls-Remaining: 0` tells the
 * buyer the token is used up); two honest sellers ask 2500 msat. Static buyers
 * (cheapest) against learning buyers (thompson), each with and without
 * posting ratings, paired over seeds 1–5: the scenario's own sweep, as
 * `npm run sim -- sweep reputation` runs it.
 */
describe('reputation: learning buyers stop paying a seller that fails every call', () => {
  it('seed 1 (golden): rating learners paid the taker twice (3,000 msat), never sent its used-up token again (no token_refused), and finished every task', () => {
    const s = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'reputation')!)!) as Summary;
    expect(s.purchases.byOutcome).toEqual({ not_delivered: 2, success: 64 });
    // All the taker received is money lost: it delivered nothing.
    expect(s.sellers.taker).toEqual({ revenueMsat: 3000, sales: 2, refunds: 0 });
    expect(s.purchases.taskCompletionRate).toBe(1);
  });

  it('over seeds 1–5: cheapest pays the taker on every task, thompson far less often, ratings cut it further, completion is the same; the figure script prints the docs table and the decider-alone reference', async () => {
    const loaded = loadScenario('reputation', { checks: scenarioChecks });
    const outDir = join(tmp('reputation-sweep-'), 'sweep');
    const { result, failures } = await runSweep({
      scenario: 'reputation',
      loaded,
      axes: [],
      seeds: 5,
      workers: 0,
      outDir,
    });
    expect(failures).toEqual([]);
    expect(result.points.map((p) => p.label)).toEqual([
      'buyers[0].decider=cheapest, buyers[0].rateSellers=false',
      'buyers[0].decider=cheapest, buyers[0].rateSellers=true',
      'buyers[0].decider=thompson, buyers[0].rateSellers=false',
      'buyers[0].decider=thompson, buyers[0].rateSellers=true',
    ]);
    // Payments for nothing, per seed (1–5): all of them the taker's, 1500 msat each (it gives no call back).
    const undelivered = (point: number) =>
      result.runs.filter((r) => r.point === point).map((r) => r.values.paymentsForNothing!);
    // Static buyers pay the taker on every task (64, 66, 78, 61 and 75 tasks): its answer says the
    // token is used up, so the next task buys again, the taker first (ratings change nothing for them).
    expect(undelivered(0)).toEqual([64, 66, 78, 61, 75]);
    expect(undelivered(1)).toEqual([64, 66, 78, 61, 75]);
    // Every task of theirs pays the taker once and an honest seller once: half the sales, on every seed.
    expect(result.points[0]!.sellers['taker-0']!.salesShare).toMatchObject({ mean: 0.5, sd: 0 });
    // Learners stop after a few failures; with ratings, after the market's first one or two.
    expect(undelivered(2)).toEqual([11, 7, 10, 11, 7]);
    expect(undelivered(3)).toEqual([2, 2, 2, 2, 1]);
    const vsStatic = (point: number) => result.points[point]!.paired!;
    // −59.6 payments [−69.9, −49.3] = −89,400 msat lost to the taker [−104,905, −73,895].
    expect(vsStatic(2).paymentsForNothing).toMatchObject({
      n: 5,
      mean: -59.6,
      low: -69.936433,
      high: -49.263567,
    });
    expect(vsStatic(3).paymentsForNothing).toMatchObject({
      n: 5,
      mean: -67,
      low: -76.374358,
      high: -57.625642,
    });
    expect(vsStatic(2).buyerSurplusPerTaskMsat).toMatchObject({
      mean: 1419.189703,
      low: 1326.007961,
      high: 1512.371445,
      effectSize: 18.911,
    });
    expect(vsStatic(3).buyerSurplusPerTaskMsat).toMatchObject({
      mean: 1601.341273,
      low: 1577.723653,
      high: 1624.958893,
      effectSize: 84.188,
    });
    // The docs' sweep table: buyer surplus per task, mean ± 95% half-width per point.
    expect(
      result.points.map((p) => [
        p.metrics.buyerSurplusPerTaskMsat!.mean,
        p.metrics.buyerSurplusPerTaskMsat!.halfWidth,
      ]),
    ).toEqual([
      [3699.247321, 12.301394],
      [3699.247321, 12.301394],
      [5118.437023, 89.475634],
      [5300.588594, 16.185332],
    ]);
    // Every arm finishes every task: a failed paid call is followed by the next-best quote in the same task.
    expect(result.points.map((p) => p.metrics.taskCompletionRate!.mean)).toEqual([1, 1, 1, 1]);
    // Ratings against no ratings, both learning, paired over the same seeds.
    const bySeed = (point: number) =>
      new Map(
        result.runs
          .filter((r) => r.point === point)
          .map((r) => [String(r.seed), r.values.paymentsForNothing!]),
      );
    expect(pairedDifference(bySeed(3), bySeed(2))).toMatchObject({
      n: 5,
      mean: -7.4,
      low: -9.655595,
      high: -5.144405,
    });
    // docs/simulator.md's reputation table and reference line, as the figure script prints them from this sweep.
    expect(figure('reputation', [outDir])).toEqual({ code: 0, err: '', out: FIGURE });
  }, 900_000);
});

const FIGURE = `| point | payments for nothing, seeds 1, 2, 3, 4, 5 | mean (sat lost) | Δ vs the first point, paired (payments) |
| --- | --- | --- | --- |
| decider=cheapest, rateSellers=false | 64, 66, 78, 61, 75 | 68.8 (103.2 sat) | baseline |
| decider=cheapest, rateSellers=true | 64, 66, 78, 61, 75 | 68.8 (103.2 sat) | 0.0 [0.0, 0.0] |
| decider=thompson, rateSellers=false | 11, 7, 10, 11, 7 | 9.2 (13.8 sat) | -59.6 [-69.9, -49.3] |
| decider=thompson, rateSellers=true | 2, 2, 2, 2, 1 | 1.8 (2.7 sat) | -67.0 [-76.4, -57.6] |

market, decider=thompson, rateSellers=false: 1.53 [1.11, 1.96] paid failures per buyer (6 buyers, 95% t-interval over 5 seeds)
Thompson sampling alone (no market; 20,000 buyers, seed 1, 10.06 tasks per buyer): 1.44 [1.43, 1.45] paid failures per buyer (95% t-interval over buyers)
`;
