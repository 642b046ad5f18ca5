import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { runSweep } from '../../sim/sweep/runner.js';

/**
 * The shipped first-proposal-bias scenario over seeds 1..5: best-price
 * buyers (cheapest, the baseline) against first-acceptable buyers reading
 * streamed quotes in arrival order. Seller shares are shares of the sales.
 */
describe('first-proposal-bias, seeds 1-5', () => {
  const sweep = () => {
    const loaded = loadScenario('first-proposal-bias', { checks: scenarioChecks });
    const axes = [
      {
        path: 'buyers[0].decider',
        values: [{ name: 'cheapest' }, { name: 'first_acceptable', order: 'arrival' }],
      },
    ];
    return runSweep({ scenario: 'first-proposal-bias', loaded, axes, seeds: 5, workers: 0 });
  };

  it('best-price buyers give every sale to the slow cheap seller; first-acceptable buyers give 79.2% to the fast pricey one (+0.792, 95% CI [0.730, 0.854]), 19.8% to the middling one, 1.0% to the slow cheap one', async () => {
    const { result, failures } = await sweep();
    expect(failures).toEqual([]);
    const [best, first] = result.points;
    const shares = (p: typeof best) =>
      Object.fromEntries(Object.entries(p!.sellers).map(([s, v]) => [s, v.share.mean]));
    expect(shares(best)).toEqual({ 'fast-pricey-0': 0, 'middling-0': 0, 'slow-cheap-0': 1 });
    expect(shares(first)).toEqual({
      'fast-pricey-0': 0.791812,
      'middling-0': 0.198206,
      'slow-cheap-0': 0.009982,
    });
    // Under first-acceptable the share falls with the seller's time to quote, whatever the price.
    const s = shares(first);
    expect(s['fast-pricey-0']).toBeGreaterThan(s['middling-0']!);
    expect(s['middling-0']).toBeGreaterThan(s['slow-cheap-0']!);
    const fast = first!.sellers['fast-pricey-0']!.paired!;
    expect([fast.n, fast.mean, fast.low, fast.high, fast.effectSize]).toEqual([
      5, 0.791812, 0.729585, 0.85404, 15.799,
    ]);
    const slow = first!.sellers['slow-cheap-0']!.paired!;
    expect([slow.n, slow.mean, slow.low, slow.high]).toEqual([5, -0.990018, -1, -0.972408]);
    for (const p of result.points) expect(p.conservationHolds).toBe(true);
  }, 1_800_000);
});
