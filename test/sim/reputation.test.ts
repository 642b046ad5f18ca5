import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sim/metrics/summary.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

/**
 * reputation: one seller (taker, 1500 msat, the cheapest) takes the money
 * and answers 500; two honest sellers ask 2500 msat. Static buyers
 * (cheapest) against learning buyers (thompson), paired over seeds 1–5: the
 * scenario's own sweep, as `npm run sim -- sweep reputation` runs it.
 */
/** Money the taker received: all of it for calls it did not deliver. */
const lostToTaker = (s: Summary) => s.sellers.taker?.revenueMsat ?? 0;

describe('reputation: learning buyers stop paying a seller that fails every call', () => {
  it('seed 1 (golden): the learning buyers paid the taker 11 times (16,500 msat) and finished every task', () => {
    const s = JSON.parse(readGolden(GOLDEN_CASES.find((c) => c.scenario === 'reputation')!)!) as Summary;
    expect(s.purchases.byOutcome).toEqual({ not_delivered: 11, success: 64 });
    expect(lostToTaker(s)).toBe(16_500);
    expect(s.purchases.taskCompletionRate).toBe(1);
  });

  it('over seeds 1–5, thompson loses less to the taker than cheapest, at the same task completion', async () => {
    const loaded = loadScenario('reputation', { checks: scenarioChecks });
    const { result, failures } = await runSweep({
      scenario: 'reputation',
      loaded,
      axes: [],
      seeds: 5,
      workers: 0,
    });
    expect(failures).toEqual([]);
    // Paid calls not delivered, per seed (1–5): all of them the taker's, 1500 msat each.
    const undelivered = (point: number) =>
      result.runs.filter((r) => r.point === point).map((r) => r.values.paidUndelivered);
    // Static buyers pay the taker first on every task (one failed call per task); learners stop after a few.
    expect(undelivered(0)).toEqual([64, 66, 78, 61, 75]);
    expect(undelivered(1)).toEqual([11, 7, 10, 11, 7]);
    const thompson = result.points[1]!.paired!;
    // −59.6 calls [−69.9, −49.3] = −89,400 msat lost to the taker [−104,905, −73,895].
    expect(thompson.paidUndelivered).toMatchObject({ n: 5, mean: -59.6, low: -69.936433, high: -49.263567 });
    // Both finish every task (a buyer whose paid call fails buys the next-best quote in the same task).
    expect(thompson.taskCompletionRate).toMatchObject({ mean: 0, low: 0, high: 0 });
    expect(result.points.map((p) => p.metrics.taskCompletionRate!.wilson!.p)).toEqual([1, 1]);
    expect(thompson.buyerSurplusPerTaskMsat).toMatchObject({
      mean: 1419.189703,
      low: 1326.007961,
      high: 1512.371445,
    });
  }, 600_000);
});
