import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { runScenario } from '../../sim/run.js';

const GROUPS = ['pay-1k', 'pay-10k', 'pay-100k', 'pay-1m'] as const;

/** "succeeded/attempted" Lightning payments per amount bucket (1k, 10k, 100k, 1M sat) of the shipped scenario on one seed. */
async function successByBucket(maxParts: number, seed: number): Promise<string[]> {
  const scenario = loadScenario('success-vs-amount', {
    overrides: { 'network.payments.maxParts': maxParts },
  });
  const { summary } = await runScenario(scenario, { seed });
  expect(summary.conservation.holds).toBe(true);
  return GROUPS.map((g) => `${summary.groups[g]!.paymentsSucceeded}/${summary.groups[g]!.paymentsAttempted}`);
}

const rate = (s: string) => {
  const [ok, n] = s.split('/').map(Number);
  return ok! / n!;
};

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('success-vs-amount, seed 1', () => {
  const SINGLE = ['14/16', '22/23', '12/18', '13/325'];

  it('single-part: 14/16 payments succeed at 1k sat, 22/23 at 10k, 12/18 at 100k, 13/325 at 1M (4.0%)', async () => {
    expect(await successByBucket(1, 1)).toEqual(SINGLE);
  }, 900_000);

  it('multi-part (16 shards) gains nothing here: the seller’s one channel is the bottleneck (1M sat: 3.3% against 4.0%)', async () => {
    const mpp = await successByBucket(16, 1);
    expect(mpp).toEqual(['14/16', '22/23', '12/18', '11/338']);
    expect([rate(mpp[3]!), rate(SINGLE[3]!)].map((r) => Number((100 * r).toFixed(1)))).toEqual([3.3, 4.0]);
    expect(rate(mpp[3]!)).toBeLessThan(rate(SINGLE[3]!)); // the point: no gain
  }, 900_000);
});

describe('success-vs-amount, seeds 1-5 (the sweep docs/simulator.md tabulates)', () => {
  it('single-part: the mean of per-seed success falls with the amount, 91.7% → 89.5% → 54.0% → 3.7%', async () => {
    const seeds: number[][] = [];
    for (let seed = 1; seed <= 5; seed++) seeds.push((await successByBucket(1, seed)).map(rate));
    const means = GROUPS.map((_, i) => Number((100 * mean(seeds.map((s) => s[i]!))).toFixed(1)));
    expect(means).toEqual([91.7, 89.5, 54.0, 3.7]);
  }, 900_000);
});
