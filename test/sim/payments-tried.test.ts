import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type TaskResult } from '../../agents/buyer/index.js';
import { createL402Client, type PurchaseEvent, type PurchaseResult } from '../../agents/l402/index.js';
import { formatChallenge } from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { chainOf, purchaseRow } from '../../sim/market/purchase-row.js';
import { RowAggregator } from '../../sim/metrics/aggregate.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import { drive, makeMarket, type Market, type TestSeller } from '../buyer/market.js';
import { prefixSeller } from '../buyer/prefix-seller.js';
import { holdingApp } from './holding-app.js';

/**
 * A payment tried (`purchases.paymentsAttempted`) is one the attempt's own node took up. An attempt whose
 * payment never started is none, whatever the stage its row ends at: the agents mark it (`notStarted`),
 * purchases.csv says `failure` `not_started`. Real paywalls and macaroons, signed invoices on the simnet;
 * rows built as the simulator builds them (`purchaseRow`), counted by its aggregator.
 */

const context = { buyer: 'b', group: 'g', role: 'buyer' as const, capability: 'c' };

/** The rows of plain-client purchases started at `startMs`, one task each. */
function clientRows(results: PurchaseResult[], seller: string, startMs: number): PurchaseRow[] {
  return results.map((r, i) => ({
    ...purchaseRow(r, { ...context, seller, taskId: `t${i}`, startMs }),
    seq: i,
    sellerCostMsat: 0,
  }));
}

/** What the funnel makes of `rows`: payments tried, gone through, the rate, and the failures. */
function funnel(rows: PurchaseRow[]) {
  const a = new RowAggregator(60_000);
  rows.forEach((r) => a.purchase(r));
  const p = a.result().purchases;
  return [p.paymentsAttempted, p.paymentsSucceeded, p.paymentSuccessRate, p.byFailure];
}

const columns = (rows: PurchaseRow[]) =>
  rows.map((r) => [r.stage, r.outcome, r.failure, r.paidMsat, r.steps.pay, r.steps.consume]);

/** A proxy of `node` whose `pay` is `pay` (given the node's own). */
function withPay(
  node: LightningNode,
  pay: (own: LightningNode['pay']) => LightningNode['pay'],
): LightningNode {
  const own = node.pay.bind(node);
  return new Proxy(node, {
    get(target, prop, receiver) {
      if (prop === 'pay') return pay(own);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
}

/** The seller `evil`: one 5,000 msat invoice, minted once, served in a 402 on every path to every request. */
function sameInvoiceSeller(m: Market): TestSeller {
  const evil = m.addSeller({ name: 'evil', priceMsat: 5_000 });
  let challenge: Promise<string> | undefined;
  const app = new Hono();
  app.get('/v1/*', async (c) => {
    challenge ??= (async () => {
      const inv = await evil.node.createInvoice({ amountMsat: 5_000, expirySec: 3_600 });
      const minted = await evil.minter.mint({ paymentHash: inv.paymentHash, caveats: [] });
      return formatChallenge({ macaroon: minted.token, invoice: inv.paymentRequest });
    })();
    const body = { error: 'payment_required', reason: 'missing', priceMsat: 5_000 };
    return c.json(body, 402, { 'WWW-Authenticate': await challenge });
  });
  m.mount(evil.host, app);
  return evil;
}

describe('an earlier payment for the resource still in flight (the scope guard): the attempt began none', () => {
  it('buyer graph: t2 finds t1’s payment to a (held past t1’s 60 s pay timeout) in flight: its row is stage pay, payment_timeout, failure not_started, no pay step, as it has no pay event; 1 payment tried (t1’s), 0 through', async () => {
    const m = makeMarket();
    const a = m.addSeller({ name: 'a', priceMsat: 5_000, maxCalls: 1 });
    m.addSeller({ name: 'b', priceMsat: 9_000, maxCalls: 1 });
    m.mount(a.host, holdingApp(m, a));
    const pays: [string | undefined, boolean][] = [];
    const onEvent = (e: PurchaseEvent, tag: string | undefined) =>
      void (e.step === 'pay' && pays.push([tag, e.ok]));
    const client = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      payTimeoutMs: 60_000,
      onEvent,
    });
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
    const tasks = [await run('t1', 65_000), await run('t2', 80_000)];
    const rows = tasks.flatMap((t) =>
      t.purchases.map((p) => ({
        ...purchaseRow(
          p,
          { ...context, seller: p.seller, taskId: t.taskId, startMs },
          chainOf(t.steps, p.stepIndex),
        ),
        seq: 0,
        sellerCostMsat: 0,
      })),
    );

    expect(tasks.map((t) => t.stopReason)).toEqual(['payment_unknown', 'payment_unknown']);
    expect(rows.map((r) => [r.taskId, r.seller, ...columns([r])[0]!])).toEqual([
      ['t1', 'a', 'pay', 'payment_timeout', 'unknown', 0, { atMs: 0, ms: 60_000 }, undefined],
      ['t2', 'a', 'pay', 'payment_timeout', 'not_started', 0, undefined, undefined],
    ]);
    expect(pays).toEqual([['t1', false]]);
    expect(funnel(rows)).toEqual([1, 0, 0, { not_started: 1, unknown: 1 }]);
  });

  it.each([false, true])(
    'plain client, /v1/a and /v1/b bought at once under one /v1 token (pay-on-success %s), the first payment in flight past its 50 ms pay timeout: the second row is stage pay, payment_timeout, failure not_started, with neither a pay step nor a consume step (no payment, no call); 1 payment tried, 0 through',
    async (payOnSuccess) => {
      const m = makeMarket({ latency: fixedLatency(100) });
      prefixSeller(m, { payOnSuccess });
      const pays: PurchaseEvent[] = [];
      const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
      const client = createL402Client({
        node: m.buyer,
        fetch: m.fetch,
        clock: m.clock,
        payTimeoutMs: 50,
        onEvent,
      });
      const startMs = m.clock.now();
      const buy = (path: string) => client.purchase(`http://scoped.test${path}`, {}, { payOnSuccess });
      const results = await drive(m.clock, Promise.all([buy('/v1/a'), buy('/v1/b')]));
      const rows = clientRows(results, 'scoped', startMs);

      // Without pay-on-success the first payment ends at its timeout; with it, when the held call delivers.
      const first = payOnSuccess
        ? ['consume', 'success', '', 0, { atMs: 0, ms: 200 }, { atMs: 0, ms: 200 }]
        : ['pay', 'payment_timeout', 'unknown', 0, { atMs: 0, ms: 50 }, undefined];
      expect(columns(rows)).toEqual([
        first,
        ['pay', 'payment_timeout', 'not_started', 0, undefined, undefined],
      ]);
      expect(rows[1]!.reason).toBe(`an earlier payment ${results[0]!.paymentHash} is still in flight`);
      expect(pays.map((e) => [e.url, e.step === 'pay' && e.ok])).toEqual([
        ['http://scoped.test/v1/a', false],
      ]);
      expect(funnel(rows)).toEqual([
        1,
        0,
        0,
        payOnSuccess ? { not_started: 1 } : { not_started: 1, unknown: 1 },
      ]);
    },
  );
});

describe('this node’s own earlier payment of the invoice in flight: the attempt ends before its send', () => {
  it('plain client: /v1/b of an invoice whose payment for /v1/a lost its answer (in flight) sends nothing: its row is stage pay, payment_timeout, failure not_started, its pay step kept as its failed pay event (notStarted) reports it; 1 payment tried (/v1/a’s), 0 through', async () => {
    const m = makeMarket({ latency: fixedLatency(100) });
    const evil = sameInvoiceSeller(m);
    let lose = true;
    // The first pay loses the node's answer once the payment is on its way.
    const node = withPay(m.buyer, (own) => async (bolt11, opts) => {
      const sent = own(bolt11, opts);
      if (!lose) return sent;
      lose = false;
      sent.catch(() => {});
      await settle();
      throw new Error('ECONNRESET: lost the node connection mid-payment');
    });
    const pays: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && pays.push(e));
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, onEvent });
    const startMs = m.clock.now();
    // Both end before the clock moves: the payment is still on its 100 ms links.
    const results = [
      await client.purchase(`http://${evil.host}/v1/a`),
      await client.purchase(`http://${evil.host}/v1/b`),
    ];
    const rows = clientRows(results, 'evil', startMs);

    expect([results[0]!.notStarted, results[1]!.notStarted]).toEqual([undefined, true]);
    expect(columns(rows)).toEqual([
      ['pay', 'payment_timeout', 'unknown', 0, { atMs: 0, ms: 0 }, undefined],
      ['pay', 'payment_timeout', 'not_started', 0, { atMs: 0, ms: 0 }, undefined],
    ]);
    expect(pays.map((e) => e.step === 'pay' && [e.url, e.ok, e.notStarted])).toEqual([
      [`http://${evil.host}/v1/a`, false, undefined],
      [`http://${evil.host}/v1/b`, false, true],
    ]);
    expect(funnel(rows)).toEqual([1, 0, 0, { not_started: 1, unknown: 1 }]);
  });
});

describe('pay-on-success whose pay call threw (the node has no record of the payment)', () => {
  it('ends the purchase on its payment, not on the seller’s answer to the held call (no HTLC came, the buyer stopped waiting at 30 s): stage pay, payment_failed, failure not_started, pay and consume steps kept; the next purchase pays: 1 payment tried, 1 through', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 5_000, payOnSuccess: true });
    let pays = 0;
    const node = withPay(m.buyer, (own) => async (bolt11, opts) => {
      if (++pays === 1) throw new Error('ECONNREFUSED: the node refused the connection');
      return own(bolt11, opts);
    });
    const events: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && events.push(e));
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, onEvent });
    const startMs = m.clock.now();
    const results: PurchaseResult[] = [];
    for (let i = 0; i < 2; i++)
      results.push(await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true })));
    const rows = clientRows(results, 'alpha', startMs);

    expect(results.map((r) => [r.outcome, r.reason, r.notStarted, r.requests])).toEqual([
      ['payment_failed', 'payment never started: ECONNREFUSED: the node refused the connection', true, 2],
      ['success', undefined, undefined, 2],
    ]);
    expect(columns(rows)).toEqual([
      ['pay', 'payment_failed', 'not_started', 0, { atMs: 0, ms: 30_000 }, { atMs: 0, ms: 30_000 }],
      ['consume', 'success', '', 5_000, { atMs: 30_000, ms: 0 }, { atMs: 30_000, ms: 0 }],
    ]);
    expect(events.map((e) => e.step === 'pay' && [e.ok, e.notStarted])).toEqual([
      [false, true],
      [true, undefined],
    ]);
    expect(funnel(rows)).toEqual([1, 1, 1, { not_started: 1 }]);
  });
  it('that ends before its send (the node did not answer the lookup of the hash) sends no call either: stage pay, payment_failed, failure not_started, a pay step (its failed pay event) and no consume step; the seller serves nothing, no payment tried', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 5_000, payOnSuccess: true });
    const node = new Proxy(m.buyer, {
      get(target, prop, receiver) {
        if (prop === 'lookupPayment')
          return () => Promise.reject(new Error('ECONNRESET: lost the node connection'));
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    }) as LightningNode;
    const events: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void ((e.step === 'pay' || e.step === 'consume') && events.push(e));
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, onEvent });
    const startMs = m.clock.now();
    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));
    const rows = clientRows([r], 'alpha', startMs);

    expect([r.outcome, r.notStarted, r.timings.consumeMs, s.served]).toEqual([
      'payment_failed',
      true,
      undefined,
      0,
    ]);
    expect(columns(rows)).toEqual([
      ['pay', 'payment_failed', 'not_started', 0, { atMs: 0, ms: 0 }, undefined],
    ]);
    expect(events.map((e) => [e.step, e.step === 'pay' && e.notStarted])).toEqual([['pay', true]]);
    expect(funnel(rows)).toEqual([0, 0, null, { not_started: 1 }]);
  });
});
