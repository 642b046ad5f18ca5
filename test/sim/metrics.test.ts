import { describe, expect, it } from 'vitest';
import { Histogram } from '../../sim/metrics/histogram.js';
import { RunningStats, tInterval } from '../../sim/metrics/stats.js';
import { computeConservation } from '../../sim/metrics/conservation.js';
import { csvHeader, csvLine, parsePurchasesCsv } from '../../sim/metrics/csv.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import { createRng } from '../../infra/random.js';

describe('histogram percentiles', () => {
  it('is exact for small values', () => {
    const h = new Histogram();
    for (let v = 1; v <= 50; v++) h.record(v);
    expect(h.summary()).toMatchObject({ count: 50, min: 1, max: 50, p50: 25, p99: 50 });
  });

  it('stays within 3% of the exact quantile for 20,000 seeded exponential draws (mean 800): p50 551 for 550, p95 2,399 for 2,417, p99 3,679 for 3,704', () => {
    const rng = createRng('hist');
    const h = new Histogram();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = Math.round(rng.exponential(800));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    const quantiles = [0.5, 0.95, 0.99].map((q) => [
      values[Math.ceil(q * values.length) - 1]!,
      h.quantile(q)!,
    ]);
    expect(quantiles).toEqual([
      [550, 551],
      [2_417, 2_399],
      [3_704, 3_679],
    ]);
    // The histogram's promise (32 buckets per power of two): at most ~3% relative error.
    for (const [exact, estimate] of quantiles)
      expect(Math.abs(estimate! - exact!) / exact!).toBeLessThan(0.03);
  });

  it('merges two histograms into the same counts as one', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let v = 0; v < 1000; v += 7) {
      (v % 2 ? a : b).record(v);
      all.record(v);
    }
    a.merge(b);
    expect(a.summary()).toEqual(all.summary());
    expect(a.cdf().at(-1)!.fraction).toBe(1);
  });
});

describe('statistics', () => {
  it('computes the sample sd and coefficient of variation', () => {
    const s = new RunningStats();
    [2, 4, 4, 4, 5, 5, 7, 9].forEach((x) => s.add(x));
    expect(s.mean).toBe(5);
    // Squared deviations sum to 32 over n − 1 = 7: sd = √(32/7), cv = sd / 5.
    expect(s.sd).toBe(Math.sqrt(32 / 7)); // 2.138089935299395
    expect(s.cv).toBe(Math.sqrt(32 / 7) / 5); // 0.427617987059879
  });

  it('gives a 95% t-interval that widens with fewer seeds: ±1.963243 over five, ±2.484138 over three', () => {
    const five = tInterval([10, 12, 11, 13, 9]);
    expect(five.mean).toBe(11);
    // qt(0.975, 4) = 2.7764451051977987
    expect(five.halfWidth).toBe(Number(((2.7764451051977987 * Math.sqrt(2.5)) / Math.sqrt(5)).toFixed(6)));
    expect(five.halfWidth).toBe(1.963243);
    // qt(0.975, 2) = 4.302652729911275, sd 1: the larger t quantile outweighs the smaller sd.
    const three = tInterval([10, 12, 11]);
    expect(three).toEqual({ n: 3, mean: 11, sd: 1, low: 8.515862, high: 13.484138, halfWidth: 2.484138 });
    expect(three.halfWidth).toBe(Number((4.302652729911275 / Math.sqrt(3)).toFixed(6)));
    // One seed gives a mean and no interval (a t-interval needs n − 1 ≥ 1 degrees of freedom).
    expect(tInterval([7])).toEqual({ n: 1, mean: 7, sd: null, low: null, high: null, halfWidth: null });
  });
});

describe('conservation', () => {
  const ledger = [
    { node: 'b', role: 'buyer' as const, startMsat: 100_000, endMsat: 88_800 },
    { node: 's', role: 'seller' as const, startMsat: 0, endMsat: 11_000 },
    { node: 'r', role: 'router' as const, startMsat: 500_000, endMsat: 500_200 },
  ];
  it('holds when debits equal credits plus routing fees and the records agree', () => {
    const c = computeConservation(
      ledger,
      { payersMsat: 11_200, feesMsat: 200 },
      { initialMsat: 1, finalMsat: 1 },
    );
    expect(c).toMatchObject({
      holds: true,
      debitsMsat: 11_200,
      creditsMsat: 11_000,
      routingFeesMsat: 200,
      differenceMsat: 0,
    });
  });

  it('reports the missing msat when the buyers’ records disagree with the ledger', () => {
    const c = computeConservation(
      ledger,
      { payersMsat: 11_199, feesMsat: 200 },
      { initialMsat: 1, finalMsat: 1 },
    );
    expect(c.holds).toBe(false);
    expect(c.recorded.spendDifferenceMsat).toBe(-1);
  });

  it('fails when the network total changed', () => {
    const c = computeConservation(
      ledger,
      { payersMsat: 11_200, feesMsat: 200 },
      { initialMsat: 10, finalMsat: 9 },
    );
    expect(c.holds).toBe(false);
    expect(c.network.differenceMsat).toBe(-1);
  });
});

describe('purchases.csv', () => {
  it('has the header line naming the HTTP requests of each attempt `requests`, no column named attempts', () => {
    expect(csvHeader()).toBe(
      'seq,startMs,endMs,totalMs,buyer,group,role,seller,capability,taskId,tierKind,tierCalls,tierSec,' +
        'stage,outcome,failure,refusal,reason,quotedMsat,paidMsat,feeMsat,sellerCostMsat,hops,requests,' +
        'tokenReused,paymentRedeemed,quoteDelayMs,arrivalRank,discoverAtMs,discoverMs,quoteAtMs,quoteMs,decideAtMs,decideMs,' +
        'authorizeAtMs,authorizeMs,payAtMs,payMs,consumeAtMs,consumeMs\n',
    );
  });

  it('refuses a file whose header still names that column attempts, saying to run its scenario again', () => {
    const old = csvHeader().replace(',requests,', ',attempts,');
    expect(() => parsePurchasesCsv(old)).toThrow(
      /^purchases\.csv: unexpected header, expected .*,hops,requests,tokenReused,.* \(a file written by another version of the simulator: run its scenario again\)$/,
    );
  });

  it('round-trips rows, including reasons with commas and quotes', () => {
    const row: PurchaseRow = {
      seq: 0,
      startMs: 10,
      endMs: 13,
      buyer: 'b-0',
      group: 'b',
      role: 'buyer',
      seller: 's-0',
      capability: 'weather',
      taskId: 't1',
      tierKind: 'bundle',
      tierCalls: 10,
      stage: 'quote',
      outcome: 'invoice_rejected',
      failure: '',
      refusal: '',
      reason: 'payee "x", not y',
      quotedMsat: 2000,
      paidMsat: 0,
      feeMsat: 0,
      sellerCostMsat: 0,
      hops: 0,
      requests: 1,
      tokenReused: false,
      steps: { discover: { atMs: 10, ms: 1 }, quote: { atMs: 11, ms: 2 } },
    };
    const { tierCalls: _bundleCalls, ...unbundled } = row;
    const held: PurchaseRow = {
      ...unbundled,
      tierKind: 'pass',
      tierSec: 600,
      seq: 1,
      outcome: 'quota_exhausted',
      refusal: 'quota_exhausted',
      reason: '',
      tokenReused: true,
    };
    const text = csvHeader() + csvLine(row) + csvLine(held);
    const back = parsePurchasesCsv(text);
    expect(back[0]).toEqual(row);
    expect(back[1]).toEqual(held);
  });
});
