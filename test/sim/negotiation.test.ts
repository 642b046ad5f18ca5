import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/scenario/load.js';
import { runScenario } from '../../sim/run.js';
import type { Summary } from '../../sim/metrics/summary.js';

/** The shipped negotiation scenario on one seed (with overrides). */
async function run(seed: number, overrides: Record<string, unknown> = {}): Promise<Summary> {
  const { summary } = await runScenario(loadScenario('negotiation', { overrides }), { seed });
  expect(summary.conservation.holds).toBe(true);
  return summary;
}

/** Mean msat paid per paid call of a buyer group. */
const meanPaid = (s: Summary, group: string): number => {
  const g = s.groups[group]!;
  return Math.round(g.spentMsat / g.paidCalls);
};

describe('negotiation, seed 2', () => {
  let s: Summary;

  it('hagglers agree in 42 of 51 negotiations (4 bids each) at 40% below the posted price, and fail to agree in 9', async () => {
    s = await run(2);
    expect(s.negotiation).toEqual({
      hagglers: {
        negotiations: 51,
        agreed: 42,
        noAgreement: 9,
        notOffered: 0,
        failureRate: 0.176471,
        meanRounds: 4,
        postedMsat: 291000,
        agreedMsat: 174600,
        savingsMsat: 116400,
        savingsRate: 0.4,
      },
    });
    expect(s.purchases.byOutcome.no_agreement).toBe(9);
  }, 300_000);

  it('hagglers pay less per call than the posted-price group under the same market: 4,157 against 7,239 msat', () => {
    expect([meanPaid(s, 'hagglers'), meanPaid(s, 'posted')]).toEqual([4_157, 7_239]);
    expect(meanPaid(s, 'hagglers')).toBeLessThan(meanPaid(s, 'posted'));
  });
});

describe('negotiation switched off (buyers[0].negotiator.name=none), seed 2', () => {
  it('has no negotiation block and no no_agreement outcome; the same group then pays 7,571 msat per call, the posted-price group the same 7,239', async () => {
    const s = await run(2, { 'buyers[0].negotiator.name': 'none' });
    expect(s.negotiation).toBeUndefined();
    expect(Object.keys(s.purchases.byOutcome)).toEqual(['success']);
    expect([meanPaid(s, 'hagglers'), meanPaid(s, 'posted')]).toEqual([7_571, 7_239]);
  }, 300_000);
});

describe('sellers whose negotiator answers one bid an hour (sellers[*].negotiation.negotiatorRate), seed 2', () => {
  it("hagglers get 429 once each seller's one negotiator call is spent and pay the posted price: 3 of 42 negotiations agree (the counter taken), no purchase fails", async () => {
    const rate = { calls: 1, perSec: 3600 };
    const s = await run(2, {
      'sellers[0].negotiation.negotiatorRate': rate,
      'sellers[1].negotiation.negotiatorRate': rate,
      'sellers[2].negotiation.negotiatorRate': rate,
    });
    expect(s.negotiation).toEqual({
      hagglers: {
        negotiations: 42,
        agreed: 3,
        noAgreement: 39,
        notOffered: 0,
        failureRate: 0.928571,
        meanRounds: 1.142857,
        postedMsat: 22500,
        agreedMsat: 16875,
        savingsMsat: 5625,
        savingsRate: 0.25,
      },
    });
    expect(Object.keys(s.purchases.byOutcome)).toEqual(['success']);
  }, 300_000);
});
