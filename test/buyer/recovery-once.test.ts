import { createHash } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type Task, type TaskResult } from '../../agents/buyer/index.js';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import type { CreateInvoiceRequest, LightningNode } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { drive, makeMarket, type Market, type TestSeller } from './market.js';

/**
 * A payment recovery completes is stored, settled and reported once, however
 * many callers find its token pending: one `pay ok` event per payment, the sum
 * of them what left the buyer's node. Real paywalls and macaroons, signed
 * invoices on the simnet; every 5,000 msat payment costs 105 msat in fees.
 */

/** When seller `a`'s hold invoices are settled: 90 s after each is issued, past the buyer's 60 s pay timeout. */
const SETTLE_AFTER_MS = 90_000;
const PAY_TIMEOUT_MS = 60_000;

/** Seller a's paywall on its own node (3 calls a token), issuing hold invoices that it settles 90 s later. */
function holdingApp(m: Market, a: TestSeller): Hono {
  const secrets = m.rng.fork('hold-preimages');
  const createInvoice = async (req: CreateInvoiceRequest) => {
    const preimage = Buffer.from(secrets.bytes(32));
    const paymentHash = createHash('sha256').update(preimage).digest('hex');
    const inv = await a.node.createHoldInvoice({ ...req, paymentHash });
    void m.clock
      .sleep(SETTLE_AFTER_MS)
      .then(() => a.node.settleInvoice(preimage.toString('hex')).catch(() => {}));
    return inv;
  };
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
    maxCalls: 3,
  });
  const app = new Hono();
  app.get('/v1/data', paywall as MiddlewareHandler, (c) => c.json({ seller: 'a', data: 42 }));
  return app;
}

/**
 * The buyer's node, except that its first `pay` calls (`lose` of them) lose the node's answer
 * once the payment is out, and a lookup of a hash in `gated` waits until `open()`.
 */
function flakyNode(m: Market, lose: number) {
  const gated = new Set<string>();
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const node = new Proxy(m.buyer, {
    get(target, prop, receiver) {
      if (prop === 'pay')
        return async (bolt11: string, opts: Parameters<LightningNode['pay']>[1]) => {
          const sent = target.pay(bolt11, opts);
          if (lose === 0) return sent;
          lose--;
          sent.catch(() => {});
          await settle();
          throw new Error('ECONNRESET: lost the node connection mid-payment');
        };
      if (prop === 'lookupPayment')
        return async (hash: string) => {
          if (gated.has(hash)) await opened;
          return target.lookupPayment(hash);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as LightningNode;
  return { node, gated, open };
}

const task = (id: string): Task => ({ id, capability: 'data', valueMsat: 100_000, calls: 1 });

describe('a payment recovery completes', () => {
  it('found pending by two tasks at once is recovered once: the pay events are t1’s failure and one ok of 5,000 + 105 msat, what left the node, and the tasks record 5,105 msat in all', async () => {
    const m = makeMarket();
    const a = m.addSeller({ name: 'a', priceMsat: 5_000, maxCalls: 3 });
    m.addSeller({ name: 'b', priceMsat: 9_000, maxCalls: 1 });
    m.mount(a.host, holdingApp(m, a));
    const registry = await m.registry();
    const events: [PurchaseEvent, string | undefined][] = [];
    const onEvent = (e: PurchaseEvent, tag: string | undefined) => events.push([e, tag]);
    const client = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      payTimeoutMs: PAY_TIMEOUT_MS,
      onEvent,
    });
    const decider = createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') });
    const agent = createBuyerAgent({
      name: 'buyer',
      registry,
      client,
      decider,
      clock: m.clock,
      executor: 'direct',
    });
    const start = m.clock.now();
    const before = await m.balance(m.buyer);
    const runAll = async (ids: string[], untilMs: number): Promise<TaskResult[]> => {
      const running = ids.map((id) => agent.runTask(task(id)));
      await m.clock.runUntilIdle(start + untilMs);
      return Promise.all(running);
    };

    // t1's payment is still held at a when its 60 s pay timeout ends it; a settles it at 90 s.
    const [t1] = await runAll(['t1'], 70_000);
    await m.clock.runUntilIdle(start + 100_000);
    const [t2, t3] = await runAll(['t2', 't3'], 110_000);

    const rows = (r: TaskResult) =>
      r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat, p.feeMsat, p.tokenReused]);
    expect([t1!, t2!, t3!].map((t) => [t.stopReason, t.spentMsat, t.feesMsat, rows(t)])).toEqual([
      ['payment_unknown', 0, 0, [['a', 'payment_timeout', 0, 0, false]]],
      ['done', 5_000, 105, [['a', 'success', 5_000, 105, false]]],
      ['done', 0, 0, [['a', 'success', 0, 0, true]]],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    const pays = events.filter(([e]) => e.step === 'pay');
    expect(pays.map(([e, tag]) => e.step === 'pay' && [tag, e.ok, e.amountMsat, e.feeMsat])).toEqual([
      ['t1', false, 5_000, 0],
      ['t1', true, 5_000, 105],
    ]);
  });

  it('while recover() waits on another payment is left as it is by recover(): one pay ok event per payment (2 × 5,105 msat, what left the node) and the token keeps the call its purchase used', async () => {
    const m = makeMarket({ latency: fixedLatency(100) });
    const [a, b] = ['a', 'b'].map((name) => m.addSeller({ name, priceMsat: 5_000, maxCalls: 3 }));
    const { node, gated, open } = flakyNode(m, 2);
    const pays: PurchaseEvent[] = [];
    const onEvent = (e: PurchaseEvent) => void (e.step === 'pay' && e.ok && pays.push(e));
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock, onEvent });
    const before = await m.balance(m.buyer);
    const lost = [
      await drive(m.clock, client.purchase(a!.url)),
      await drive(m.clock, client.purchase(b!.url)),
    ];
    expect(lost.map((r) => r.outcome)).toEqual(['payment_timeout', 'payment_timeout']);
    await m.clock.runUntilIdle();
    await settle(20);

    // recover() looks a's payment up first and waits there while a purchase of b recovers b's.
    gated.add(lost[0]!.paymentHash!);
    const recovering = client.recover();
    const reused = await drive(m.clock, client.purchase(b!.url));
    open();

    expect(await recovering).toEqual({ completed: 2, dropped: 0, inFlight: 0 });
    expect([reused.outcome, reused.paidMsat, reused.tokenReused]).toEqual(['success', 0, true]);
    expect(pays.map((e) => e.step === 'pay' && [e.paymentHash, e.amountMsat, e.feeMsat])).toEqual([
      [lost[1]!.paymentHash, 5_000, 105],
      [lost[0]!.paymentHash, 5_000, 105],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
    const tokenOfB = client.tokens.list().find((t) => t.paymentHash === lost[1]!.paymentHash);
    expect([tokenOfB?.state, tokenOfB?.callsUsed]).toEqual(['paid', 1]);
  });
});
