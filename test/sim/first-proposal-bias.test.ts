import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { runSweep } from '../../sim/sweep/runner.js';

/**
 * The shipped first-proposal-bias scenario's sweep over seeds 1..5, as `npm run sim -- sweep
 * first-proposal-bias` runs it: best-price buyers (cheapest, the baseline) against first-acceptable
 * buyers reading streamed quotes in arrival order, without and with a 7 sat price ceiling. Seller
 * shares are shares of the sales. The sweep runs once, shared by the tests below.
 */
describe('first-proposal-bias, seeds 1-5', () => {
  let swept: ReturnType<typeof runSweep> | undefined;
  const sweep = () =>
    (swept ??= runSweep({
      scenario: 'first-proposal-bias',
      loaded: loadScenario('first-proposal-bias', { checks: scenarioChecks }),
      axes: [],
      seeds: 5,
      workers: 0,
    }));
  const points = async () => {
    const { result, failures } = await sweep();
    expect(failures).toEqual([]);
    expect(result.points.map((p) => p.label)).toEqual([
      'buyers[0].decider=cheapest',
      'buyers[0].decider=first_acceptable(order=arrival)',
      'buyers[0].decider=first_acceptable(order=arrival, reservation={"maxPriceMsat":7000})',
    ]);
    for (const p of result.points) expect(p.conservationHolds).toBe(true);
    return result.points;
  };
  type Point = Awaited<ReturnType<typeof points>>[number];
  const shares = (p: Point) =>
    Object.fromEntries(Object.entries(p.sellers).map(([s, v]) => [s, v.salesShare.mean]));

  it('best-price buyers give every sale to the slow cheap seller; first-acceptable buyers give 79.2% to the fast pricey one (+0.792, 95% CI [0.730, 0.854]), 19.8% to the middling one, 1.0% to the slow cheap one', async () => {
    const [best, first] = await points();
    expect(shares(best!)).toEqual({ 'fast-pricey-0': 0, 'middling-0': 0, 'slow-cheap-0': 1 });
    expect(shares(first!)).toEqual({
      'fast-pricey-0': 0.791812,
      'middling-0': 0.198206,
      'slow-cheap-0': 0.009982,
    });
    // Under first-acceptable the share falls with the seller's time to quote, whatever the price.
    const s = shares(first!);
    expect(s['fast-pricey-0']).toBeGreaterThan(s['middling-0']!);
    expect(s['middling-0']).toBeGreaterThan(s['slow-cheap-0']!);
    const fast = first!.sellers['fast-pricey-0']!.paired!;
    expect([fast.n, fast.mean, fast.low, fast.high, fast.effectSize]).toEqual([
      5, 0.791812, 0.729585, 0.85404, 15.799,
    ]);
    const slow = first!.sellers['slow-cheap-0']!.paired!;
    expect([slow.n, slow.mean, slow.low, slow.high]).toEqual([5, -0.990018, -1, -0.972408]);
  }, 1_800_000);

  it('with a 7 sat ceiling first-acceptable buyers give the middling seller a share of 0.839 [0.756, 0.922] (+0.839, Holm p < 0.001, d_z 12.59), the slow cheap one 0.161 [0.078, 0.244] (−0.839, d_z −12.59) and the fast pricey one none', async () => {
    const ceiling = (await points())[2]!;
    expect(ceiling.sellers['fast-pricey-0']).toMatchObject({
      salesShare: { n: 5, mean: 0, low: 0, high: 0 },
      paired: { n: 5, mean: 0, low: 0, high: 0, pHolm: 1 },
    });
    expect(ceiling.sellers['middling-0']).toMatchObject({
      salesShare: { n: 5, mean: 0.839061, low: 0.756318, high: 0.921803 },
      paired: { n: 5, mean: 0.839061, low: 0.756318, high: 0.921803, pHolm: 0.000018, effectSize: 12.591 },
    });
    expect(ceiling.sellers['slow-cheap-0']).toMatchObject({
      salesShare: { n: 5, mean: 0.160939, low: 0.078197, high: 0.243682 },
      paired: {
        n: 5,
        mean: -0.839061,
        low: -0.921803,
        high: -0.756318,
        pHolm: 0.000009,
        effectSize: -12.591,
      },
    });
  }, 1_800_000);

  it('first-acceptable buyers (no ceiling) get 5,351 msat [5,116, 5,585] less buyer surplus per task than best-price buyers, paired over the seeds', async () => {
    const first = (await points())[1]!;
    expect(first.paired!.buyerSurplusPerTaskMsat).toMatchObject({
      n: 5,
      mean: -5350.83579,
      low: -5585.371975,
      high: -5116.299605,
    });
  }, 1_800_000);
});
