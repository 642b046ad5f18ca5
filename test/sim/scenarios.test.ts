import { describe, expect, it } from 'vitest';
import type { Summary } from '../../sim/metrics/summary.js';
import { GOLDEN_CASES, readGolden } from './golden-cases.js';

/**
 * Each shipped scenario shows what its description claims, read from its
 * golden summary (golden.test.ts checks a fresh run gives exactly that file).
 */
function golden(scenario: string, tag?: string): Summary {
  const c = GOLDEN_CASES.find((x) => x.scenario === scenario && x.tag === tag)!;
  return JSON.parse(readGolden(c)!) as Summary;
}

describe('shipped scenarios do what they claim', () => {
  it('faults: every seller takes part and every fault reaches its target (no run warnings)', () => {
    expect(golden('faults').warnings).toEqual([]);
  });

  it("faults: the offline node, the drained channel and the dishonest sellers each leave their own outcome (the taker's kept call, told by its L402-Calls-Remaining: 0, is not retried: no token_refused)", () => {
    const s = golden('faults');
    expect(Object.keys(s.purchases.byFailure).sort()).toEqual(['insufficient_balance', 'recipient_offline']);
    expect(Object.keys(s.purchases.byOutcome).sort()).toEqual([
      'insufficient_balance',
      'invoice_rejected',
      'no_route',
      'not_delivered',
      'success',
    ]);
  });

  it('policy-benchmark: under allow_all every quote passes the invoice check and buyers pay the luxury seller', () => {
    const s = golden('policy-benchmark');
    expect(s.purchases.quoteRejections).toBe(0);
    expect(s.purchases.policyDenials).toBe(0);
    expect(Object.keys(s.market.sellers).sort()).toEqual([
      'budget-feed-0',
      'luxury-feed-0',
      'premium-feed-0',
    ]);
  });

  it('policy-benchmark: a 4 sat cap denies the premium and luxury quotes that allow_all pays', () => {
    const capped = golden('policy-benchmark', 'max_per_request');
    expect(capped.purchases.policyDenials).toBe(capped.purchases.attempts - capped.purchases.delivered);
    expect(Object.keys(capped.market.sellers)).toEqual(['budget-feed-0']);
  });

  it('price-war: every task is done and both rivals sell (no run warnings)', () => {
    const s = golden('price-war');
    expect(s.warnings).toEqual([]);
    expect(s.welfare.byStopReason).toEqual({ done: 279 });
    expect(Object.keys(s.market.sellers).sort()).toEqual(['rival-0', 'rival-1']);
  });
});
