import { describe, expect, it } from 'vitest';
import { pairedDifference } from '../../sim/metrics/paired.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

/**
 * reputation: one seller (taker, 1500 msat, the cheapest) takes the money,
 * answers 500 and keeps the call (a retry of its token is refused); two
 * honest sellers ask 2500 msat. Static buyers
 * (cheapest) against learning buyers (thompson), each with and without
 * posting ratings, paired over seeds 1–5: the scenario's own sweep, as
 * `npm run sim -- sweep reputation` runs it.
 */
describe('reputation: learning buyers stop paying a seller that fails every call', () => {
  it('seed 1 (golden): rating learners paid the taker twice (3,000 msat), its token was refused on retry, and they finished every task', () => {
    const s = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'reputation')!)!) as Summary;
    expect(s.purchases.byOutcome).toEqual({ not_delivered: 2, success: 64, token_refused: 2 });
    // All the taker received is money lost: it delivered nothing.
    expect(s.sellers.taker).toEqual({ revenueMsat: 3000, sales: 2, refunds: 0 });
    expect(s.purchases.taskCompletionRate).toBe(1);
  });

  it('over seeds 1–5: thompson pays the taker far less often than cheapest, ratings cut it further, completion is the same', async () => {
    const loaded = loadScenario('reputation', { checks: scenarioChecks });
    const { result, failures } = await runSweep({
      scenario: 'reputation',
      loaded,
      axes: [],
      seeds: 5,
      workers: 0,
    });
    expect(failures).toEqual([]);
    expect(result.points.map((p) => p.label)).toEqual([
      'buyers[0].decider=cheapest, buyers[0].rateSellers=false',
      'buyers[0].decider=cheapest, buyers[0].rateSellers=true',
      'buyers[0].decider=thompson, buyers[0].rateSellers=false',
      'buyers[0].decider=thompson, buyers[0].rateSellers=true',
    ]);
    // Paid calls not delivered, per seed (1–5): all of them the taker's, 1500 msat each.
    const undelivered = (point: number) =>
      result.runs.filter((r) => r.point === point).map((r) => r.values.paidUndelivered!);
    // Static buyers pay the taker on every other task: the next task retries the failed token, is
    // refused (quota_exhausted) and buys the next-best quote (ratings change nothing for them).
    expect(undelivered(0)).toEqual([34, 35, 40, 32, 39]);
    expect(undelivered(1)).toEqual([34, 35, 40, 32, 39]);
    // Learners stop after a few failures; with ratings, after the market's first one or two.
    expect(undelivered(2)).toEqual([8, 6, 8, 8, 6]);
    expect(undelivered(3)).toEqual([2, 2, 2, 2, 1]);
    const vsStatic = (point: number) => result.points[point]!.paired!;
    // −28.8 calls [−33.6, −24.0] = −43,200 msat lost to the taker [−50,341, −36,059].
    expect(vsStatic(2).paidUndelivered).toMatchObject({
      n: 5,
      mean: -28.8,
      low: -33.560612,
      high: -24.039388,
    });
    expect(vsStatic(3).paidUndelivered).toMatchObject({
      n: 5,
      mean: -34.2,
      low: -38.711189,
      high: -29.688811,
    });
    expect(vsStatic(2).buyerSurplusPerTaskMsat).toMatchObject({ mean: 687.194697, low: 631.420329 });
    expect(vsStatic(3).buyerSurplusPerTaskMsat).toMatchObject({ mean: 815.970358, low: 806.283895 });
    // Every arm finishes every task: a failed paid call is followed by the next-best quote in the same task.
    expect(result.points.map((p) => p.metrics.taskCompletionRate!.mean)).toEqual([1, 1, 1, 1]);
    // Ratings against no ratings, both learning, paired over the same seeds.
    const bySeed = (point: number) =>
      new Map(
        result.runs.filter((r) => r.point === point).map((r) => [String(r.seed), r.values.paidUndelivered!]),
      );
    expect(pairedDifference(bySeed(3), bySeed(2))).toMatchObject({
      n: 5,
      mean: -5.4,
      low: -6.510578,
      high: -4.289422,
    });
  }, 900_000);
});
