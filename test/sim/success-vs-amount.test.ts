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

describe('success-vs-amount, seed 1', () => {
  let single: string[] = [];

  it('single-part: success falls with the amount, from 93.3% at 1k sat to 4.5% at 1M sat', async () => {
    single = await successByBucket(1, 1);
    expect(single).toEqual(['14/15', '22/24', '12/18', '14/308']);
    const rates = single.map(rate);
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeLessThan(rates[i - 1]!);
  }, 900_000);

  it('multi-part (16 shards) gains nothing here: the seller’s one channel is the bottleneck (1M sat: 3.3% against 4.5%)', async () => {
    const mpp = await successByBucket(16, 1);
    expect(mpp).toEqual(['14/15', '22/23', '12/18', '11/330']);
    expect(rate(mpp[3]!)).toBeLessThan(rate(single[3]!));
  }, 900_000);
});
