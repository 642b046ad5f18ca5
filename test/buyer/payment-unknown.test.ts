import { createHash } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type Task, type TaskResult } from '../../agents/buyer/index.js';
import { createL402Client, takeRecovered, type PurchaseEvent } from '../../agents/l402/index.js';
import type { CreateInvoiceRequest, LightningNode } from '../../infra/lightning/node.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { makeMarket, type Market, type TestSeller } from './market.js';

/** When the hold invoices of seller `a` are settled: 90 s after each is issued, past the buyer's 60 s pay timeout. */
const SETTLE_AFTER_MS = 90_000;
const PAY_TIMEOUT_MS = 60_000;

/**
 * Seller `a` (5,000 msat, 1 call) sells hold invoices as plain ones and settles each 90 s after issuing it;
 * seller `b` (9,000 msat, 1 call) is honest. The buyer's client pays with a 60 s timeout on the simnet,
 * which answers `in_flight` then while a's node holds the HTLC.
 */
async function heldMarket() {
  const m = makeMarket();
  const a = m.addSeller({ name: 'a', priceMsat: 5_000, maxCalls: 1 });
  const b = m.addSeller({ name: 'b', priceMsat: 9_000, maxCalls: 1 });
  m.mount(a.host, holdingApp(m, a));
  const registry = await m.registry();
  const events: [PurchaseEvent, string | undefined][] = [];
  const client = createL402Client({
    node: m.buyer,
    fetch: m.fetch,
    clock: m.clock,
    payTimeoutMs: PAY_TIMEOUT_MS,
    onEvent: (e, tag) => events.push([e, tag]),
  });
  const agent = createBuyerAgent({
    name: 'buyer',
    registry,
    client,
    decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
    clock: m.clock,
    executor: 'direct',
  });
  const start = m.clock.now();
  /** Runs task `id` (one call) with the clock moving no further than `untilMs` after the market's start. */
  const run = async (id: string, untilMs: number): Promise<TaskResult> => {
    let result: TaskResult | undefined;
    const p = agent.runTask(task(id)).then((r) => (result = r));
    await m.clock.runUntilIdle(start + untilMs);
    await p;
    return result!;
  };
  return { m, a, b, client, events, run, start, before: await m.balance(m.buyer) };
}

/** Seller a's paywall on its own node, issuing hold invoices that it settles 90 s later. */
function holdingApp(m: Market, a: TestSeller): Hono {
  const secrets = m.rng.fork('hold-preimages');
  const createInvoice = async (req: CreateInvoiceRequest) => {
    const preimage = Buffer.from(secrets.bytes(32));
    const paymentHash = createHash('sha256').update(preimage).digest('hex');
    const inv = await a.node.createHoldInvoice({ ...req, paymentHash });
    // An invoice never paid is not accepted then: nothing to settle.
    void m.clock
      .sleep(SETTLE_AFTER_MS)
      .then(() => a.node.settleInvoice(preimage.toString('hex')).catch(() => {}));
    return inv;
  };
  // a's own node (its methods bound to it), except for the invoices it issues.
  const node = new Proxy(a.node, {
    get: (target, prop) => {
      if (prop === 'createInvoice') return createInvoice;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
  const paywall = l402Paywall({
    node,
    minter: a.minter,
    clock: m.clock,
    service: 'a',
    price: 5_000,
    maxCalls: 1,
  });
  const app = new Hono();
  app.get('/v1/data', paywall as MiddlewareHandler, (c) => c.json({ seller: 'a', data: 42 }));
  return app;
}

const task = (id: string): Task => ({ id, capability: 'data', valueMsat: 100_000, calls: 1 });
const rows = (r: TaskResult) =>
  r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat, p.feeMsat, p.tokenReused]);
const paysTo = (b: TestSeller) => b.events.filter((e) => e.type === 'authorized').length;

describe('a payment whose fate is unknown in the buyer graph', () => {
  it('ends the task payment_unknown at the 60 s pay timeout: seller b is never paid, and what left the node (5,105 msat) is a’s payment alone', async () => {
    const { m, b, run, start, before } = await heldMarket();
    const t1 = await run('t1', 70_000);
    expect([t1.stopReason, t1.done, t1.calls, t1.spentMsat, t1.feesMsat]).toEqual([
      'payment_unknown',
      false,
      0,
      0,
      0,
    ]);
    expect(rows(t1)).toEqual([['a', 'payment_timeout', 0, 0, false]]);
    expect(t1.purchases[0]!.reason).toBe(
      'payment still in flight; the token stays pending and is recovered by payment hash',
    );
    expect(t1.endedAt - start).toBe(PAY_TIMEOUT_MS);
    // The HTLC is locked at 70 s (amount + the hub's 105 msat fee), then a's node settles it at 90 s.
    expect((await m.buyer.balances()).pendingOutMsat).toBe(5_105);
    await m.clock.runUntilIdle();
    expect(paysTo(b)).toBe(0);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
  });

  it('ends a second task payment_unknown while the first one’s payment is still in flight (the guard’s answer): nothing is paid to b', async () => {
    const { m, b, run, before } = await heldMarket();
    await run('t1', 65_000);
    const t2 = await run('t2', 80_000);
    expect([t2.stopReason, t2.calls, t2.spentMsat, t2.feesMsat]).toEqual(['payment_unknown', 0, 0, 0]);
    expect(rows(t2)).toEqual([['a', 'payment_timeout', 0, 0, false]]);
    expect(t2.purchases[0]!.reason).toMatch(/^an earlier payment [0-9a-f]{64} is still in flight$/);
    await m.clock.runUntilIdle();
    expect(paysTo(b)).toBe(0);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
  });

  it('is recorded once recovery completes it: the next task’s purchase with its token carries 5,000 + 105 msat, so the tasks’ records total the 5,105 msat that left the node, and a pay event ok 5,000 + 105 is tagged with t1', async () => {
    const { m, run, events, start, before } = await heldMarket();
    const t1 = await run('t1', 70_000);
    await m.clock.runUntilIdle(start + 100_000);
    const t2 = await run('t2', 110_000);
    expect([t2.stopReason, t2.calls, t2.spentMsat, t2.feesMsat]).toEqual(['done', 1, 5_000, 105]);
    expect(rows(t2)).toEqual([['a', 'success', 5_000, 105, false]]);
    expect(t2.purchases[0]).toMatchObject({
      status: 200,
      quotedMsat: 5_000,
      hops: 2,
      paymentHash: t1.purchases[0]!.paymentHash,
    });
    const left = before - (await m.balance(m.buyer));
    expect(left).toBe(5_105);
    expect(t1.spentMsat + t1.feesMsat + t2.spentMsat + t2.feesMsat).toBe(left);
    const pays = events
      .filter(([e]) => e.step === 'pay')
      .map(
        ([e, tag]) => e.step === 'pay' && [tag, e.ok, e.amountMsat, e.feeMsat, e.atMs - start, e.durationMs],
      );
    expect(pays).toEqual([
      ['t1', false, 5_000, 0, 0, PAY_TIMEOUT_MS],
      // Recovered when t2 looked for a token, at 90 s (the clock stops at a's settlement, its last event).
      ['t1', true, 5_000, 105, 0, SETTLE_AFTER_MS],
    ]);
  });
});

describe('a payment recovered by a restarted client (another engine on the same token store)', () => {
  it('is reported as a pay event ok 5,000 + 105 msat for the token’s scope, untagged (the purchase that paid is not its own), and its cost is handed out once', async () => {
    const { m, client, run, start } = await heldMarket();
    const t1 = await run('t1', 70_000);
    await m.clock.runUntilIdle(start + 100_000);
    const heard: [PurchaseEvent, string | undefined][] = [];
    const restarted = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      tokens: client.tokens,
      onEvent: (e, tag) => heard.push([e, tag]),
    });
    expect(await restarted.recover()).toEqual({ completed: 1, dropped: 0, inFlight: 0 });
    const hash = t1.purchases[0]!.paymentHash!;
    expect(
      heard.map(([e, tag]) => [e.step, e.url, tag, 'ok' in e && e.ok, e.step === 'pay' && e.paymentHash]),
    ).toEqual([['pay', 'http://a.test/v1/data', undefined, true, hash]]);
    expect(heard.map(([e]) => e.step === 'pay' && [e.amountMsat, e.feeMsat, e.hops])).toEqual([
      [5_000, 105, 2],
    ]);
    expect(takeRecovered(client.tokens, hash)).toMatchObject({ amountMsat: 5_000, feeMsat: 105, hops: 2 });
    expect(takeRecovered(client.tokens, hash)).toBeUndefined();
  });
});
