import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import type { LightningNode, Payment } from '../../infra/lightning/node.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { purchaseRow } from '../../sim/market/purchase-row.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { RowAggregator } from '../../sim/metrics/aggregate.js';
import { rebuildAggregates } from '../../sim/metrics/rebuild.js';
import type { PurchaseRow, TaskRow } from '../../sim/metrics/rows.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { SWEEP_METRICS } from '../../sim/sweep/metrics.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario, loadScenarioText } from '../../sim/scenario/load.js';
import { drive, makeMarket, type Market } from '../buyer/market.js';
import { prefixSeller } from '../buyer/prefix-seller.js';

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

  it('a payment that never started (failure not_started: its node never took it up) is no payment tried, though its pay step stays', () => {
    const a = new RowAggregator(60_000);
    a.purchase(row({ quotedMsat: 1000, paidMsat: 1000, steps: { pay, consume } }));
    a.purchase(
      row({ stage: 'pay', outcome: 'no_route', failure: 'no_route', quotedMsat: 1000, steps: { pay } }),
    );
    a.purchase(
      row({
        stage: 'pay',
        outcome: 'payment_failed',
        failure: 'not_started',
        quotedMsat: 1000,
        steps: { pay },
      }),
    );
    const { purchases: p, successByAmount, latency } = a.result();
    expect([p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate]).toEqual([2, 1, 0.5]);
    expect(successByAmount.map((b) => [b.minMsat, b.attempts, b.succeeded])).toEqual([[512, 2, 1]]);
    expect(latency.steps.pay.count).toBe(3);
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

  it('resale with the broker set to oversell: 168 of 183 payments (15 holds canceled: a reseller retires a bundle after 3 slices refused in a row and its check refused), 181 calls (5 of them bundle checks, paying nothing), no payment for nothing', async () => {
    const { summary: s } = await run('resale', {
      'resellers[0].slicesPerBundle': 25,
      'resellers[0].oversell': true,
    });
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
  it("faults seed 1 with the sloth's delay (40 s) past the buyers' 30 s request timeout: the 2 token_refused rows (a single token the sloth timed out twice: its call given back after the first abort, counted after the second, its one give-back used) say quota_exhausted; no other row has a code", async () => {
    const { rows } = await run('faults', { 'sellers[5].adversarial.delayMs': 40_000 });
    const coded = rows.filter((r) => r.refusal !== '').map((r) => [r.seller, r.outcome, r.refusal]);
    expect(coded).toEqual(Array(2).fill(['sloth-0', 'token_refused', 'quota_exhausted']));
  });
});

/**
 * The buyer's node, except that its first `lookupPayment` throws (a dropped connection: nothing is sent), its
 * first `pay` throws before paying (the node keeps no record of it) and its second `pay` answers `no_route`
 * without paying (asked, no HTLC sent). Everything else is the simnet's own.
 */
function failingFirst(m: Market): LightningNode {
  let lookups = 0;
  let pays = 0;
  return new Proxy(m.buyer, {
    get(target, prop, receiver) {
      if (prop === 'lookupPayment')
        return async (hash: string) => {
          if (++lookups === 1) throw new Error('ECONNRESET: lost the node connection');
          return target.lookupPayment(hash);
        };
      if (prop === 'pay')
        return async (bolt11: string, opts: Parameters<LightningNode['pay']>[1]): Promise<Payment> => {
          if (++pays === 1) throw new Error('ECONNREFUSED: the node refused the connection');
          if (pays > 2) return target.pay(bolt11, opts);
          const failure = { reason: 'no_route' as const, message: 'no route to the payee' };
          return {
            paymentHash: '',
            status: 'failed',
            amountMsat: 0,
            feeMsat: 0,
            hops: 0,
            attempts: 0,
            failure,
            createdAt: 0,
          };
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
}

describe('a payment tried is one the node was asked to make and took up', () => {
  it('plain-client purchases of a 5,000 msat call: a lookup unanswered and a pay call that threw (no record) never started, a no_route was tried, the last one paid: 2 payments tried, 1 succeeded, 4 pay steps', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 5_000 });
    const client = createL402Client({ node: failingFirst(m), fetch: m.fetch, clock: m.clock });
    const context = {
      buyer: 'b',
      group: 'g',
      role: 'buyer' as const,
      seller: 'alpha',
      capability: 'c',
      // Row times from the market's start.
      startMs: m.clock.now(),
    };
    const a = new RowAggregator(60_000);
    const rows: PurchaseRow[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await drive(m.clock, client.purchase(s.url));
      rows.push({ ...purchaseRow(r, { ...context, taskId: `t${i}` }), seq: i, sellerCostMsat: 0 });
      a.purchase(rows[i]!);
    }
    expect(rows.map((r) => [r.stage, r.outcome, r.failure, r.paidMsat, r.steps.pay !== undefined])).toEqual([
      ['pay', 'payment_failed', 'not_started', 0, true],
      ['pay', 'payment_failed', 'not_started', 0, true],
      ['pay', 'no_route', 'no_route', 0, true],
      ['consume', 'success', '', 5_000, true],
    ]);
    const p = a.result().purchases;
    expect([p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate]).toEqual([2, 1, 0.5]);
  });

  it('concurrent plain-client purchases of two paths under one /v1 token: the second, using the token the first paid for (tokenReused, nothing paid), has no pay step, as it has no pay event: 1 payment tried, 1 succeeded', async () => {
    const m = makeMarket({ latency: fixedLatency(15) });
    prefixSeller(m);
    const pays: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, onEvent });
    const context = { buyer: 'b', group: 'g', role: 'buyer' as const, seller: 'scoped', capability: 'c' };
    const startMs = m.clock.now();
    const buy = (path: string) => client.purchase(`http://scoped.test${path}`);
    const both = await drive(m.clock, Promise.all([buy('/v1/a'), buy('/v1/b')]));
    const rows = both.map((r, i) => ({
      ...purchaseRow(r, { ...context, taskId: `t${i}`, startMs }),
      seq: i,
      sellerCostMsat: 0,
    }));
    const a = new RowAggregator(60_000);
    rows.forEach((r) => a.purchase(r));
    expect(rows.map((r) => [r.outcome, r.paidMsat, r.tokenReused, r.steps.pay !== undefined])).toEqual([
      ['success', 5_000, false, true],
      ['success', 0, true, false],
    ]);
    expect(pays.length).toBe(1);
    const p = a.result().purchases;
    expect([p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate]).toEqual([1, 1, 1]);
  });
});

/**
 * Six buyers of 3-call tasks among slow bundle sellers, a flaky one and a pay-on-success holder that fails
 * 30% of calls (a failed call's token comes back with its call), cut off 5 s after 20 s.
 */
const heldTokenMarket = `
name: held-token
seed: 1
durationSec: 20
drainSec: 5
network:
  topology: { kind: hub_and_spoke, hubs: 2 }
  hopLatency: { meanMs: 200, sdMs: 100 }
registry: { searchLimit: 7 }
sellers:
  - name: sloth
    count: 2
    archetype: data-feed
    price: { kind: fixed, msat: 1000 }
    tiers: [{ kind: single }, { kind: bundle, calls: 3, priceMsat: 2500 }]
    adversarial: { mode: slow, delayMs: 4000 }
  - name: flaky
    archetype: data-feed
    price: { kind: fixed, msat: 1100 }
    failureRate: 0.5
    costMsat: 50
    tiers: [{ kind: single }, { kind: bundle, calls: 3, priceMsat: 2700 }]
  - name: holder
    archetype: data-feed
    price: { kind: fixed, msat: 1200 }
    payOnSuccess: true
    latency: { kind: fixed, ms: 3000 }
    failureRate: 0.3
buyers:
  - name: shopper
    count: 6
    decider: { name: random }
    policy: { name: max_per_request, params: { maxMsat: 6000 } }
    budgetMsat: 300000
    arrivals: { process: poisson, ratePerMin: 10 }
    tasks:
      - capability: anomalies:read
        calls: 3
        value: { dist: fixed, msat: 8000 }
`;

async function runText(text: string, executor: 'langgraph' | 'direct') {
  const sinks = { purchases: new MemorySink(), tasks: new MemorySink(), events: new MemorySink() };
  const scenario = loadScenarioText(text, { checks: scenarioChecks });
  const { summary } = await runScenario(scenario, { seed: 1, sinks, executor });
  return {
    summary,
    purchases: sinks.purchases.text(),
    tasks: sinks.tasks.text(),
    events: sinks.events.text(),
  };
}

describe('held-token market, seed 1', { timeout: 120_000 }, () => {
  it("the buyer-graph task that called with the holder's token another task left (seq 21: tokenReused, nothing paid) has no pay step: 60 payments tried, 60 succeeded, as events.jsonl's 60 pay steps; rebuilt from the CSVs and through LangGraph alike", async () => {
    const run = await runText(heldTokenMarket, 'direct');
    const rows = parsePurchasesCsv(run.purchases);
    const reused = rows.find((r) => r.seq === 21)!;
    expect([reused.seller, reused.tokenReused, reused.paidMsat, reused.steps.pay]).toEqual([
      'holder-0',
      true,
      0,
      undefined,
    ]);
    const pays = run.events
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step?: string; ok?: boolean; buyer: string; atMs: number })
      .filter((e) => e.type === 'step' && e.step === 'pay');
    const key = (buyer: string, atMs: number) => `${buyer} ${atMs}`;
    expect(
      rows
        .filter((r) => r.steps.pay)
        .map((r) => key(r.buyer, r.steps.pay!.atMs))
        .sort(),
    ).toEqual(pays.map((e) => key(e.buyer, e.atMs)).sort());
    const p = run.summary.purchases;
    const funnel = [p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate];
    expect([...funnel, run.summary.latency.steps.pay.count, pays.length]).toEqual([60, 60, 1, 60, 60]);
    const again = rebuildAggregates(run.purchases, run.tasks, run.summary.durationMs).purchases;
    expect([again.paymentsAttempted, again.paymentsSucceeded, again.paymentSuccessRate]).toEqual(funnel);
    expect((await runText(heldTokenMarket, 'langgraph')).purchases).toBe(run.purchases);
  });
});
