import { describe, expect, it } from 'vitest';
import type { PurchaseEvent } from '../../agents/l402/index.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { Recorder, type NewPurchaseRow } from '../../sim/metrics/recorder.js';
import { rebuildAggregates } from '../../sim/metrics/rebuild.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { Redemptions } from '../../sim/market/redemptions.js';

/**
 * `paymentsForNothing` counts payments whose token delivered no call in the run. An honest seller gives
 * a call it answered 5xx back, the buyer keeps the token, and a later task of the buyer delivers with
 * it: that payment was not for nothing. The rows go through the market's `Redemptions` and a real
 * `Recorder` into purchases.csv; the aggregates are rebuilt from that file alone.
 */

const H1 = 'a1'.repeat(32);
const H2 = 'b2'.repeat(32);
const H3 = 'c3'.repeat(32);
const pay = { atMs: 0, ms: 5 };
const consume = { atMs: 5, ms: 5 };

/** The buyer's client telling the market that the payment of `hash` settled. */
function settled(hash: string): PurchaseEvent {
  return {
    atMs: 0,
    durationMs: 5,
    url: 'http://feed.test/anomalies',
    step: 'pay',
    ok: true,
    amountMsat: 2000,
    feeMsat: 0,
    hops: 1,
    paymentHash: hash,
  };
}

/** The first call of a token just paid for: 2,000 msat, delivered or answered 500. */
function paidCall(taskId: string, ok: boolean): NewPurchaseRow {
  return row(taskId, { paidMsat: 2000, quotedMsat: 2000, outcome: ok ? 'success' : 'not_delivered' });
}

/** A later task's call with the held token: delivered or answered 500. */
function heldCall(taskId: string, ok: boolean): NewPurchaseRow {
  return row(taskId, { tokenReused: true, outcome: ok ? 'success' : 'seller_error' });
}

function row(taskId: string, p: Partial<NewPurchaseRow>): NewPurchaseRow {
  return {
    startMs: 0,
    endMs: 10,
    buyer: 'shopper-0',
    group: 'shopper',
    role: 'buyer',
    seller: 'flaky-0',
    capability: 'anomalies:read',
    taskId,
    tierKind: 'single',
    tierCalls: 1,
    stage: 'consume',
    outcome: 'success',
    failure: '',
    refusal: '',
    reason: '',
    quotedMsat: 0,
    paidMsat: 0,
    feeMsat: 0,
    hops: 0,
    requests: 1,
    tokenReused: false,
    steps: p.paidMsat ? { pay, consume } : { consume },
    ...p,
  };
}

/**
 * Records `rows` (each with its token's payment hash) in order, after the client reported `paid`:
 * the `paymentRedeemed` column of purchases.csv, and the funnel rebuilt from purchases.csv.
 */
function record(paid: string[], rows: [NewPurchaseRow, string][]) {
  const purchases = new MemorySink();
  const tasks = new MemorySink();
  const recorder = new Recorder(
    {
      scenario: 't',
      description: '',
      seed: 1,
      backend: 'embedded',
      scenarioHash: '',
      durationMs: 60_000,
      sellerCosts: {},
      staticWarnings: [],
    },
    { purchases, tasks },
  );
  const redemptions = new Redemptions();
  for (const h of paid) redemptions.hear(settled(h));
  for (const [r, hash] of rows) recorder.purchase(redemptions.mark(r, hash));
  const csv = purchases.text();
  const p = rebuildAggregates(csv, tasks.text(), 60_000).purchases;
  return {
    marks: parsePurchasesCsv(csv).map((r) => r.paymentRedeemed ?? false),
    counts: [p.paidCalls, p.delivered, p.paymentsForNothing],
  };
}

describe('payments for nothing: a given-back call whose token delivers later is not money lost', () => {
  it("a paid call answered 500 whose token delivers in the buyer's next task: 0 payments for nothing, the next task's delivery redeems it", () => {
    expect(
      record(
        [H1],
        [
          [paidCall('shopper-0/0', false), H1],
          [heldCall('shopper-0/1', true), H1],
        ],
      ),
    ).toEqual({ marks: [false, true], counts: [2, 1, 0] });
  });

  it('the delivering task ended first (its row is recorded before the failed paid call): the paid call’s row is the one marked, still 0', () => {
    expect(
      record(
        [H1],
        [
          [heldCall('shopper-0/1', true), H1],
          [paidCall('shopper-0/0', false), H1],
        ],
      ),
    ).toEqual({ marks: [false, true], counts: [2, 1, 0] });
  });

  it('of three payments, the one whose token never delivers is the one for nothing, however many of its calls fail; a delivered token and its later deliveries mark nothing', () => {
    expect(
      record(
        [H1, H2, H3],
        [
          [heldCall('shopper-0/2', true), H2],
          [paidCall('shopper-0/0', false), H1],
          [heldCall('shopper-0/1', false), H1],
          [paidCall('shopper-0/2', true), H2],
          [paidCall('shopper-0/3', false), H3],
          [heldCall('shopper-0/4', true), H2],
          [heldCall('shopper-0/4', true), H3],
          [heldCall('shopper-0/5', true), H3],
        ],
      ),
    ).toEqual({ marks: [false, false, false, false, false, false, true, false], counts: [8, 5, 1] });
  });
});
