import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import {
  l402Paywall,
  MemoryQuotaStore,
  type PaywallEvent,
  type QuotaStore,
} from '../../services/paywall/index.js';
import { drive, makeMarket, type Market } from './market.js';

/**
 * A pay-on-success seller whose call counter store does not answer is 503 `quota_store_unavailable`
 * with `Retry-After: 1` and keeps the hold (docs/services.md, "Stores that do not answer"): the buyer
 * sends the same retry again after it, at most 3 times, while its payment is in flight. Real paywall,
 * macaroons and hold invoices on the simnet; a 5,000 msat payment through the hub costs 105 msat in fees.
 */

const PRICE_MSAT = 5_000;
const FEE_MSAT = 105;

/** A real MemoryQuotaStore whose `consume` throws (a remote store timing out) while `failing` > 0. */
function flakyQuotas() {
  const inner = new MemoryQuotaStore();
  const state = { failing: 0 };
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'consume')
        return (...args: Parameters<QuotaStore['consume']>) => {
          if (state.failing > 0 && state.failing--) throw new Error('ETIMEDOUT quota store');
          return target.consume(...args);
        };
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as QuotaStore;
  return { store, state };
}

/** The seller `keeper`: one pay-on-success route of 3 calls at 5,000 msat behind `flakyQuotas`. */
function keeper(m: Market) {
  const node = m.addNode('keeper');
  const rng = m.rng.fork('keeper');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const quotas = flakyQuotas();
  const events: PaywallEvent[] = [];
  const seller = { node, events, quotas, runs: 0, url: 'http://keeper.test/v1/job' };
  const app = new Hono();
  const paywall = l402Paywall({
    node,
    minter,
    clock: m.clock,
    service: 'job',
    price: PRICE_MSAT,
    maxCalls: 3,
    payOnSuccess: true,
    secrets: insecureSeededSecrets(rng.fork('preimages')),
    quotaStore: quotas.store,
    onEvent: (e) => events.push(e),
  });
  app.get('/v1/job', paywall, (c) => {
    seller.runs++;
    return c.json({ result: 'ok' });
  });
  m.mount('keeper.test', app);
  return seller;
}

/** A client on the market's buyer node, with its purchase events; `limits` its time limits when given. */
function buyer(m: Market, limits: { payTimeoutMs?: number; requestTimeoutMs?: number } = {}) {
  const events: PurchaseEvent[] = [];
  const client = createL402Client({
    node: m.buyer,
    fetch: m.fetch,
    clock: m.clock,
    onEvent: (e) => void events.push(e),
    ...limits,
  });
  return { client, events };
}

/** Each `consume` event as [ms since the purchase began, status]. */
const consumes = (events: PurchaseEvent[], startedAt: number) =>
  events.filter((e) => e.step === 'consume').map((e) => [e.atMs - startedAt, e.status]);

/** Each paywall event as [ms since `from`, type, reason, status]. */
const sellerSaw = (events: PaywallEvent[], from: number) =>
  events.map((e) => [e.atMs - from, e.type, e.reason ?? null, e.status ?? null]);

describe('a pay-on-success retry answered 503 by a seller whose quota store does not answer', () => {
  it('is sent again after Retry-After 1 s: the second retry is delivered, the hold settled, 5,105 msat paid once (one pay event), 3 requests, the handler run once, 2 of 3 calls left', async () => {
    const m = makeMarket();
    const s = keeper(m);
    const { client, events } = buyer(m);
    s.quotas.state.failing = 1;
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));

    expect([r.outcome, r.status, r.paidMsat, r.feeMsat, r.requests]).toEqual([
      'success',
      200,
      PRICE_MSAT,
      FEE_MSAT,
      3,
    ]);
    expect(await r.response!.json()).toEqual({ result: 'ok' });
    expect(consumes(events, r.timings.startedAt)).toEqual([
      [0, 503],
      [1_000, 200],
    ]);
    expect(r.timings.endedAt - r.timings.startedAt).toBe(1_000);
    expect(sellerSaw(s.events, r.timings.startedAt)).toEqual([
      [0, 'challenge', 'missing', 402],
      [0, 'rejected', 'quota_store_unavailable', 503],
      [1_000, 'authorized', null, null],
      [1_000, 'settled', null, 200],
    ]);
    expect(events.filter((e) => e.step === 'pay').map((e) => [e.ok, e.amountMsat, e.feeMsat])).toEqual([
      [true, PRICE_MSAT, FEE_MSAT],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect((await m.buyer.balances()).pendingOutMsat).toBe(0);
    expect((await s.node.lookupInvoice(r.paymentHash!))?.state).toBe('settled');
    expect(s.runs).toBe(1);
    expect(client.tokens.list().map((t) => [t.state, t.callsUsed, t.maxCalls])).toEqual([['paid', 1, 3]]);
  });

  it('still failing, is sent again 3 times 1 s apart (5 requests), then the purchase waits for its payment: the seller cancels the hold at the invoice expiry (600 s, no paywall event), nothing is paid, the purchase ends not_delivered with HTTP 503, the handler never run', async () => {
    const m = makeMarket();
    const s = keeper(m);
    // The payment waits for the hold's end (600 s), past the 60 s default pay timeout.
    const { client, events } = buyer(m, { payTimeoutMs: 700_000 });
    s.quotas.state.failing = Infinity;
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));

    expect([r.outcome, r.status, r.reason, r.paidMsat, r.feeMsat, r.requests]).toEqual([
      'not_delivered',
      503,
      'HTTP 503',
      0,
      0,
      5,
    ]);
    expect(await r.response!.json()).toMatchObject({ error: 'quota_store_unavailable' });
    expect(consumes(events, r.timings.startedAt)).toEqual([
      [0, 503],
      [1_000, 503],
      [2_000, 503],
      [3_000, 503],
    ]);
    expect(r.timings.endedAt - r.timings.startedAt).toBe(600_000);
    const rejected = [0, 1_000, 2_000, 3_000].map((at) => [at, 'rejected', 'quota_store_unavailable', 503]);
    expect(sellerSaw(s.events, r.timings.startedAt)).toEqual([[0, 'challenge', 'missing', 402], ...rejected]);
    expect((await s.node.lookupInvoice(r.paymentHash!))?.state).toBe('canceled');
    expect(before - (await m.balance(m.buyer))).toBe(0);
    expect((await m.buyer.balances()).pendingOutMsat).toBe(0);
    expect(s.runs).toBe(0);
    expect(client.tokens.list()).toEqual([]);
  });

  it('still failing, is sent again only while the payment is in flight: with payTimeoutMs 2,500 twice (4 requests), the purchase ends not_delivered with HTTP 503 at 2,500 ms, the payment unresolved and its token pending until the seller cancels the hold at 600 s', async () => {
    const m = makeMarket();
    const s = keeper(m);
    const { client, events } = buyer(m, { payTimeoutMs: 2_500 });
    s.quotas.state.failing = Infinity;

    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));

    expect([r.outcome, r.status, r.paidMsat, r.requests]).toEqual(['not_delivered', 503, 0, 4]);
    expect(consumes(events, r.timings.startedAt)).toEqual([
      [0, 503],
      [1_000, 503],
      [2_000, 503],
    ]);
    expect(r.timings.endedAt - r.timings.startedAt).toBe(2_500);
    expect(client.tokens.list().map((t) => t.state)).toEqual(['pending']);
    await drive(m.clock, m.clock.sleep(600_000));
    expect((await s.node.lookupInvoice(r.paymentHash!))?.state).toBe('canceled');
    expect(await client.recover()).toEqual({ completed: 0, dropped: 1, inFlight: 0 });
    expect((await m.buyer.balances()).pendingOutMsat).toBe(0);
    expect(s.runs).toBe(0);
  });

  it("still failing, is sent again only within the call's requestTimeoutMs from its first send: with 2,500 ms twice (4 requests, a third would wait until 3,000 ms), then the purchase ends not_delivered with HTTP 503 when the seller cancels the hold at 600 s", async () => {
    const m = makeMarket();
    const s = keeper(m);
    const { client, events } = buyer(m, { requestTimeoutMs: 2_500, payTimeoutMs: 700_000 });
    s.quotas.state.failing = Infinity;

    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));

    expect([r.outcome, r.status, r.paidMsat, r.requests]).toEqual(['not_delivered', 503, 0, 4]);
    expect(consumes(events, r.timings.startedAt)).toEqual([
      [0, 503],
      [1_000, 503],
      [2_000, 503],
    ]);
    expect(r.timings.endedAt - r.timings.startedAt).toBe(600_000);
    expect((await s.node.lookupInvoice(r.paymentHash!))?.state).toBe('canceled');
    expect(client.tokens.list()).toEqual([]);
    expect(s.runs).toBe(0);
  });
});
