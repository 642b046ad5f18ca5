import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { RowAggregator } from '../../sim/metrics/aggregate.js';
import type { PurchaseRow, TaskRow } from '../../sim/metrics/rows.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { SWEEP_METRICS } from '../../sim/sweep/metrics.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** A purchase row with only what the funnel reads set. */
function row(p: Partial<PurchaseRow>): PurchaseRow {
  return {
    seq: 0,
    startMs: 0,
    endMs: 10,
    buyer: 'b',
    group: 'g',
    role: 'buyer',
    seller: 's',
    capability: 'c',
    taskId: 't',
    tierKind: '',
    stage: 'consume',
    outcome: 'success',
    failure: '',
    refusal: '',
    reason: '',
    quotedMsat: 0,
    paidMsat: 0,
    feeMsat: 0,
    sellerCostMsat: 0,
    hops: 0,
    requests: 1,
    tokenReused: false,
    steps: {},
    ...p,
  };
}

function task(role: TaskRow['role'], group: string, done: boolean): TaskRow {
  return {
    taskId: `${group}/${role}`,
    buyer: 'b',
    group,
    role,
    capability: 'c',
    calls: 1,
    valueMsat: 0,
    earnedMsat: 0,
    done,
    spentMsat: 0,
    feesMsat: 0,
    startedAtMs: 0,
    endedAtMs: 0,
    stopReason: done ? 'done' : 'not_delivered',
  };
}

const pay = { atMs: 0, ms: 5 };
const consume = { atMs: 5, ms: 5 };

describe('the funnel counts what its labels say', () => {
  it('a payment is tried when an HTLC was sent (a pay step), canceled pay-on-success holds included', () => {
    const a = new RowAggregator(60_000);
    a.purchase(row({ quotedMsat: 1000, paidMsat: 1000, steps: { pay, consume } }));
    // A refused slice: the hold was canceled, nothing paid, the call was made.
    a.purchase(row({ outcome: 'slice_refused', quotedMsat: 1500, steps: { pay, consume } }));
    a.purchase(row({ stage: 'pay', outcome: 'no_route', quotedMsat: 3000, steps: { pay } }));
    const { purchases: p, successByAmount } = a.result();
    expect([p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate]).toEqual([3, 1, 0.333333]);
    expect(successByAmount.map((b) => [b.minMsat, b.attempts, b.succeeded])).toEqual([
      [512, 1, 1],
      [1024, 1, 0],
      [2048, 1, 0],
    ]);
  });

  it('an acquisition (a token bought without a call) is a payment but neither a call nor a delivery', () => {
    const a = new RowAggregator(60_000);
    a.purchase(
      row({ role: 'reseller', stage: 'acquire', paidMsat: 40_000, quotedMsat: 40_000, steps: { pay } }),
    );
    a.purchase(row({ paidMsat: 2_000, quotedMsat: 2_000, steps: { pay, consume } }));
    const r = a.result();
    expect([r.purchases.paymentsAttempted, r.money.sales, r.money.spentMsat]).toEqual([2, 2, 42_000]);
    expect([r.purchases.paidCalls, r.purchases.delivered, r.series.points[0]!.delivered]).toEqual([1, 1, 1]);
  });

  it('payments for nothing are paid calls (paidMsat > 0) that failed, not unpaid failures (a canceled hold, a held token)', () => {
    const a = new RowAggregator(60_000);
    a.purchase(row({ outcome: 'not_delivered', paidMsat: 2_000, steps: { pay, consume } }));
    a.purchase(row({ outcome: 'slice_refused', steps: { pay, consume } }));
    a.purchase(row({ outcome: 'token_refused', tokenReused: true, steps: { consume } }));
    const p = a.result().purchases;
    expect([p.paidCalls, p.delivered, p.paymentsForNothing]).toEqual([3, 0, 1]);
  });

  it("task completion counts end tasks (buyers, sub-agents); a seller's upstream tasks count in its group only", () => {
    const a = new RowAggregator(60_000);
    a.task(task('buyer', 'fund', true));
    a.task(task('sub-agent', 'subs', false));
    a.task(task('seller', 'upstream', true));
    a.task(task('seller', 'upstream', true));
    const r = a.result();
    expect([r.purchases.tasks, r.purchases.tasksDone, r.purchases.taskCompletionRate]).toEqual([2, 1, 0.5]);
    expect([r.groups.upstream!.tasks, r.groups.upstream!.tasksDone]).toEqual([2, 2]);
  });
});

async function run(name: string, overrides: Record<string, unknown> = {}) {
  const purchases = new MemorySink();
  const events = new MemorySink();
  const scenario = loadScenario(name, { overrides, checks: scenarioChecks });
  const sinks = { purchases, tasks: new MemorySink(), events };
  const { summary } = await runScenario(scenario, { seed: 1, sinks });
  return { summary, rows: parsePurchasesCsv(purchases.text()), events: events.text() };
}

const forNothing = SWEEP_METRICS.find((m) => m.key === 'paymentsForNothing')!;

/** From events.jsonl alone: settled payments, and those whose token no call delivered with (`consume`/`reuse` ok). */
function paymentsFromEvents(jsonl: string): [number, number] {
  const steps = jsonl
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; step?: string; ok?: boolean; paymentHash?: string })
    .filter((e) => e.type === 'step' && e.ok);
  const paid = new Set(steps.filter((e) => e.step === 'pay').map((e) => e.paymentHash));
  const used = new Set(
    steps.filter((e) => e.step === 'consume' || e.step === 'reuse').map((e) => e.paymentHash),
  );
  return [paid.size, [...paid].filter((h) => !used.has(h)).length];
}

describe('shipped scenarios, seed 1', { timeout: 120_000 }, () => {
  it('agent-chain: 35 of 35 end tasks (the 70 upstream tasks of the sellers are their groups)', async () => {
    const { summary: s } = await run('agent-chain');
    expect([s.purchases.tasks, s.purchases.tasksDone, s.counts.tasks, s.welfare.tasks]).toEqual([
      35, 35, 35, 35,
    ]);
    expect([s.groups['analysis (upstream)']!.tasks, s.groups['trading (upstream)']!.tasks]).toEqual([35, 35]);
  });

  it('resale: 8 restocks are acquisitions, each slice is one row, 176 calls (140 slices + 36 retail)', async () => {
    const { summary: s, rows } = await run('resale');
    const stages = (role: string) => rows.filter((r) => r.role === role).map((r) => r.stage);
    expect(stages('reseller')).toEqual(Array(8).fill('acquire'));
    const subTasks = rows.filter((r) => r.role === 'sub-agent').map((r) => r.taskId);
    expect([subTasks.length, new Set(subTasks).size]).toEqual([140, 140]);
    expect([s.purchases.total, s.purchases.paidCalls, s.purchases.delivered]).toEqual([184, 176, 176]);
    expect(s.groups['broker sub-agents']).toMatchObject({ paidCalls: 140, delivered: 140, tokenReuses: 0 });
    expect([s.purchases.paymentsAttempted, s.money.sales, s.money.spentMsat]).toEqual([184, 184, 778_000]);
    expect([s.conservation.holds, s.conservation.recorded.spendDifferenceMsat]).toEqual([true, 0]);
  });

  it('resale overselling: 168 of 183 payments (15 holds canceled: a reseller retires a bundle after 3 slices refused in a row and its check refused), 181 calls (5 of them bundle checks, paying nothing), no payment for nothing', async () => {
    const { summary: s } = await run('resale', { 'resellers[0].slicesPerBundle': 25 });
    const p = s.purchases;
    expect([p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate]).toEqual([183, 168, 0.918033]);
    expect([p.paidCalls, p.delivered, p.paymentsForNothing, forNothing.of(s)]).toEqual([181, 161, 0, 0]);
    expect(s.groups.broker).toMatchObject({ paidCalls: 5, delivered: 0, tokenReuses: 0, spentMsat: 280_000 });
    expect(s.successByAmount.map((b) => [b.minMsat, b.attempts, b.succeeded])).toEqual([
      [2048, 176, 161],
      [32768, 7, 7],
    ]);
  });

  it("faults: 26 paid calls failed, 6 of them given back and delivered later with the same token, so 20 payments for nothing (18 the taker's), as events.jsonl counts them by payment hash and the sweep metric reads them", async () => {
    const { summary: s, rows, events } = await run('faults');
    const paidFailed = rows.filter((r) => r.stage === 'consume' && r.paidMsat > 0 && r.outcome !== 'success');
    const redeemed = rows.filter((r) => r.paymentRedeemed);
    expect([paidFailed.length, redeemed.length]).toEqual([26, 6]);
    expect([s.purchases.paymentsForNothing, forNothing.of(s), s.groups.shopper!.paymentsForNothing]).toEqual([
      20, 20, 20,
    ]);
    expect(paymentsFromEvents(events)).toEqual([88, 20]);
    // Five redeeming deliveries were recorded after the failed paid call; one task that delivered with a
    // token ended before the task whose paid call failed, so that paid call's own row (seq 230) is marked.
    expect(redeemed.map((r) => [r.seq, r.seller, r.tokenReused, r.outcome])).toEqual([
      [33, 'flaky-0', true, 'success'],
      [204, 'flaky-0', true, 'success'],
      [212, 'honest-1', true, 'success'],
      [230, 'honest-1', false, 'not_delivered'],
      [232, 'honest-1', true, 'success'],
      [237, 'flaky-0', true, 'success'],
    ]);
    const lost = (seller: string) =>
      paidFailed.filter((r) => r.seller === seller).length -
      redeemed.filter((r) => r.seller === seller).length;
    expect([lost('taker-0'), lost('honest-1'), lost('flaky-0')]).toEqual([18, 2, 0]);
  });
});

describe('purchases.csv carries the seller’s refusal code', { timeout: 120_000 }, () => {
  it("faults seed 1 with the sloth's delay (40 s) past the buyers' 30 s request timeout: the 6 token_refused rows (the sloth refusing the retry of a call it counted but never answered in time) say quota_exhausted; no other row has a code", async () => {
    const { rows } = await run('faults', { 'sellers[5].adversarial.delayMs': 40_000 });
    const coded = rows.filter((r) => r.refusal !== '').map((r) => [r.seller, r.outcome, r.refusal]);
    expect(coded).toEqual(Array(6).fill(['sloth-0', 'token_refused', 'quota_exhausted']));
  });
});
