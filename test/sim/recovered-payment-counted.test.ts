import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type TaskResult } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { chainOf, purchaseRow } from '../../sim/market/purchase-row.js';
import { RowAggregator } from '../../sim/metrics/aggregate.js';
import { csvHeader, csvLine, parsePurchasesCsv } from '../../sim/metrics/csv.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import { makeMarket } from '../buyer/market.js';
import { holdingApp } from './holding-app.js';

/**
 * A payment whose fate was unknown when its task ended (held past the buyer's pay timeout: `payment_unknown`)
 * and that recovery completed later is a payment tried once and gone through once: its attempt's row counts
 * the try, the later row that books its money (paidMsat, no pay step) counts it as gone through. Real
 * paywall, macaroons and hold invoices on the simnet; rows built as the simulator builds them, counted by
 * its aggregator (and by the same aggregator over the rows read back from purchases.csv).
 */

const context = { buyer: 'b', group: 'g', role: 'buyer' as const, capability: 'c' };

/** t1 pays a's held invoice and gives up at its 60 s pay timeout; a settles at 90 s; t2 (from 120 s) uses the token. */
async function recoveredRun(): Promise<{ tasks: TaskResult[]; rows: PurchaseRow[] }> {
  const m = makeMarket();
  const a = m.addSeller({ name: 'a', priceMsat: 5_000, maxCalls: 1 });
  m.mount(a.host, holdingApp(m, a));
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, payTimeoutMs: 60_000 });
  const agent = createBuyerAgent({
    name: 'buyer',
    registry: await m.registry(),
    client,
    decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
    clock: m.clock,
    executor: 'direct',
  });
  const startMs = m.clock.now();
  const run = async (id: string, untilMs: number): Promise<TaskResult> => {
    const p = agent.runTask({ id, capability: 'data', valueMsat: 100_000, calls: 1 });
    await m.clock.runUntilIdle(startMs + untilMs);
    return p;
  };
  const t1 = await run('t1', 65_000);
  await m.clock.runUntilIdle(startMs + 120_000);
  const tasks = [t1, await run('t2', 200_000)];
  const rows = tasks.flatMap((t) =>
    t.purchases.map((p, i) => ({
      ...purchaseRow(
        p,
        { ...context, seller: p.seller, taskId: t.taskId, startMs },
        chainOf(t.steps, p.stepIndex),
      ),
      seq: i,
      sellerCostMsat: 0,
    })),
  );
  return { tasks, rows };
}

/** The payment figures the aggregator makes of `rows`. */
function figures(rows: PurchaseRow[]) {
  const agg = new RowAggregator(200_000);
  rows.forEach((r) => agg.purchase(r));
  const s = agg.result();
  const g = s.groups['g']!;
  return {
    tried: s.purchases.paymentsAttempted,
    ok: s.purchases.paymentsSucceeded,
    rate: s.purchases.paymentSuccessRate,
    groupTried: g.paymentsAttempted,
    groupOk: g.paymentsSucceeded,
    groupRate: g.paymentSuccessRate,
    moneySales: s.money.sales,
    spent: s.money.spentMsat,
    sellers: s.market.sellers,
    byAmount: s.successByAmount,
  };
}

const expected = {
  tried: 1,
  ok: 1,
  rate: 1,
  groupTried: 1,
  groupOk: 1,
  groupRate: 1,
  moneySales: 1,
  spent: 5_000,
  sellers: { a: { revenueMsat: 5_000, sales: 1, share: 1 } },
  byAmount: [{ minMsat: 4_096, maxMsat: 8_191, attempts: 1, succeeded: 1, rate: 1 }],
};

describe('a payment of unknown fate that recovery completed counts as tried once and gone through once', () => {
  it('t1 (payment_unknown) tries it: stage pay, payment_timeout, a 60 s pay step, 0 paid; t2 (done) books its 5,000 msat with no pay step; funnel, group, money.sales and successByAmount: 1 tried, 1 through, rate 1, like the seller’s 1 sale', async () => {
    const { tasks, rows } = await recoveredRun();

    expect(tasks.map((t) => [t.taskId, t.stopReason, t.spentMsat])).toEqual([
      ['t1', 'payment_unknown', 0],
      ['t2', 'done', 5_000],
    ]);
    expect(
      rows.map((r) => [r.taskId, r.stage, r.outcome, r.failure, r.quotedMsat, r.paidMsat, r.steps.pay]),
    ).toEqual([
      ['t1', 'pay', 'payment_timeout', 'unknown', 5_000, 0, { atMs: 0, ms: 60_000 }],
      ['t2', 'consume', 'success', '', 5_000, 5_000, undefined],
    ]);
    expect(figures(rows)).toEqual(expected);
  });

  it('counts the same from the rows read back from purchases.csv (1 tried, 1 through, rate 1)', async () => {
    const { rows } = await recoveredRun();
    const text = csvHeader() + rows.map(csvLine).join('');

    expect(figures(parsePurchasesCsv(text))).toEqual(expected);
  });
});
