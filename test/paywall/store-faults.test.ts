import { Hono } from 'hono';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  createMinter,
  paymentHashOfToken,
  tokenIdOfToken,
  type RootKeyStore,
} from '../../infra/l402/index.js';
import type { Payment } from '../../infra/lightning/node.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import type {
  L402PaywallOptions,
  L402Variables,
  PaywallEvent,
  QuotaStore,
} from '../../services/paywall/index.js';
import { MemoryQuotaStore, l402Paywall, markNotRun } from '../../services/paywall/index.js';
import {
  HOLD_PRICE,
  buy,
  eventlessNode,
  holdPaywall,
  holdRetryHeaders,
  inMemory,
  json,
  makeWorld,
  payAndWalkAway,
  type World,
} from './helpers.js';

/** The world's root-key store behind a switch: its next `failGets` lookups throw, as a remote store timing out. */
function flakyKeys(inner: RootKeyStore) {
  const keys = {
    failGets: 0,
    get: async (id: string) => {
      if (keys.failGets > 0) {
        keys.failGets--;
        throw new Error('ETIMEDOUT redis:6379');
      }
      return inner.get(id);
    },
    put: (id: string, k: Uint8Array) => inner.put(id, k),
    delete: (id: string) => inner.delete(id),
  };
  return keys satisfies RootKeyStore;
}

/** A real MemoryQuotaStore behind a switch: its next `failConsumes` / `failReleases` calls throw. */
class FlakyQuotaStore implements QuotaStore {
  failConsumes = 0;
  failReleases = 0;
  readonly inner = new MemoryQuotaStore();
  consume(...args: Parameters<QuotaStore['consume']>) {
    if (this.failConsumes > 0 && this.failConsumes--) throw new Error('ECONNRESET quota store');
    return this.inner.consume(...args);
  }
  release(...args: Parameters<QuotaStore['release']>) {
    if (this.failReleases > 0 && this.failReleases--) throw new Error('ECONNRESET quota store');
    return this.inner.release(...args);
  }
  used(key: string) {
    return this.inner.used(key);
  }
  forget(tokenId: string) {
    return this.inner.forget(tokenId);
  }
}

/**
 * A paywall on the world's real seller node and real macaroons, with a flaky root-key store and a
 * flaky quota store: what it logs, its events, the invoices the seller's node issued, the handler's runs.
 */
function faultyStores(w: World) {
  const keys = flakyKeys(w.rootKeys);
  const quotaStore = new FlakyQuotaStore();
  const seeded = insecureSeededSecrets(w.rng.fork('flaky-keys'));
  const minter = createMinter({ rootKeys: keys, randomBytes: (n) => seeded.bytes(n) });
  const logs: { level: number; msg: string; reason?: string; err?: { message: string } }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const events: PaywallEvent[] = [];
  const invoices: string[] = [];
  w.seller.onInvoice((inv) => inv.state === 'open' && invoices.push(inv.paymentHash));
  const options: Partial<L402PaywallOptions> = {
    minter,
    quotaStore,
    logger,
    onEvent: (e) => events.push(e),
  };
  return { keys, quotaStore, options, logs, events, invoices, runs: 0 };
}

/** A 10-call weather route behind `faultyStores`; `?fail=1` answers 502, `?full=1` a capacity 503 marked not run. */
function weatherRoute(w: World) {
  const s = faultyStores(w);
  const app = new Hono<{ Variables: L402Variables }>();
  // A throw that reaches Hono is answered 500 here, without Hono's console line.
  app.onError((_err, c) => c.json({ error: 'internal' }, 500));
  const paywall = l402Paywall({
    ...w,
    node: w.seller,
    service: 'weather',
    price: 5_000,
    maxCalls: 10,
    ...s.options,
  });
  app.get('/v1/data', paywall, (c) => {
    s.runs++;
    if (c.req.query('fail')) return c.json({ error: 'upstream_down' }, 502);
    if (c.req.query('full')) {
      markNotRun(c);
      return c.json({ error: 'at_capacity' }, 503, { 'Retry-After': '1' });
    }
    return c.json({ ok: true, data: 42 });
  });
  return Object.assign(s, { app });
}

/** A pay-on-success route (`holdPaywall`, 5 calls) behind `faultyStores`; `extra` adds paywall options. */
function holdRoute(w: World, extra: Partial<L402PaywallOptions> = {}) {
  const s = faultyStores(w);
  const app = new Hono();
  app.onError((_err, c) => c.json({ error: 'internal' }, 500));
  app.get('/v1/job', holdPaywall(w, { maxCalls: 5, ...s.options, ...extra }), (c) => {
    s.runs++;
    return c.json({ result: 'ok' });
  });
  return Object.assign(s, { app });
}

/** Status, `L402-Calls-Remaining` and `Retry-After` of an answer, in one string. */
const seen = (res: Response) =>
  `${res.status} left=${res.headers.get('L402-Calls-Remaining')} retry=${res.headers.get('Retry-After')}`;

const call = (app: Hono<{ Variables: L402Variables }>, authorization: string, query = '') =>
  app.request(`/v1/data${query}`, { headers: { authorization } });

const KEY_STORE_DOWN = (tokenId: string) =>
  `the root key store did not answer, so token ${tokenId} could not be checked; retry later with the same token`;
const QUOTA_STORE_DOWN = (tokenId: string) =>
  `the seller's call counter store did not answer, so this call of token ${tokenId.slice(0, 16)}… was not run; retry later with the same token`;

describe('a root-key store that does not answer is 503, never a new invoice', () => {
  it('a paid call while the root-key store throws is 503 key_store_unavailable with Retry-After 1, no invoice, the handler not run, the store error only in the log; the same token then has 8 of 10 calls left', async () => {
    const w = makeWorld();
    const r = weatherRoute(w);
    const { authorization, res, challenge } = await buy(w, inMemory(r.app), '/v1/data');
    expect(seen(res)).toBe('200 left=9 retry=null');
    const tokenId = tokenIdOfToken(challenge.macaroon);

    r.keys.failGets = 1;
    const down = await call(r.app, authorization);
    expect(seen(down)).toBe('503 left=null retry=1');
    expect(down.headers.get('WWW-Authenticate')).toBeNull();
    expect(await json(down)).toEqual({ error: 'key_store_unavailable', message: KEY_STORE_DOWN(tokenId) });
    expect(r.runs).toBe(1);
    expect(r.invoices).toEqual([paymentHashOfToken(challenge.macaroon)]);
    expect(r.events.map((e) => [e.type, e.reason, e.status])).toEqual([
      ['challenge', 'missing', 402],
      ['authorized', undefined, undefined],
      ['rejected', 'key_store_unavailable', 503],
    ]);
    expect(r.logs.map((l) => [l.level, l.reason, l.msg, l.err?.message])).toEqual([
      [50, 'key_store_unavailable', KEY_STORE_DOWN(tokenId), 'ETIMEDOUT redis:6379'],
    ]);

    const back = await call(r.app, authorization);
    expect(seen(back)).toBe('200 left=8 retry=null');
    expect(await json(back)).toEqual({ ok: true, data: 42 });
    expect(r.runs).toBe(2);
    expect(r.invoices).toHaveLength(1);
  });

  it('a pay-on-success retry while the root-key store throws is 503 key_store_unavailable, no invoice, the handler not run, the HTLC still held; the next retry of the same hold delivers and settles', async () => {
    const w = makeWorld();
    const r = holdRoute(w);
    const { macaroon, payment } = await payAndWalkAway(w, r.app);
    const hash = paymentHashOfToken(macaroon);

    r.keys.failGets = 1;
    const down = await r.app.request('/v1/job', { headers: holdRetryHeaders(macaroon) });
    expect(seen(down)).toBe('503 left=null retry=1');
    expect(down.headers.get('WWW-Authenticate')).toBeNull();
    expect(await json(down)).toEqual({
      error: 'key_store_unavailable',
      message: KEY_STORE_DOWN(tokenIdOfToken(macaroon)),
    });
    expect(r.runs).toBe(0);
    expect(r.invoices).toEqual([hash]);
    expect((await w.seller.lookupInvoice(hash))?.state).toBe('accepted');

    const retry = Promise.resolve(r.app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    const back = await retry;
    expect(seen(back)).toBe('200 left=4 retry=null');
    expect(r.runs).toBe(1);
    const paid = await payment;
    expect([paid.status, paid.amountMsat]).toEqual(['succeeded', HOLD_PRICE]);
    expect((await w.seller.lookupInvoice(hash))?.state).toBe('settled');
    expect(r.invoices).toHaveLength(1);
  });
});

describe('a quota store that does not answer', () => {
  it('on consume: 503 quota_store_unavailable with Retry-After 1, no invoice, the handler not run, no call counted; the same token then has 8 of 10 calls left', async () => {
    const w = makeWorld();
    const r = weatherRoute(w);
    const { authorization, res, challenge } = await buy(w, inMemory(r.app), '/v1/data');
    expect(seen(res)).toBe('200 left=9 retry=null');
    const tokenId = tokenIdOfToken(challenge.macaroon);

    r.quotaStore.failConsumes = 1;
    const down = await call(r.app, authorization);
    expect(seen(down)).toBe('503 left=null retry=1');
    expect(down.headers.get('WWW-Authenticate')).toBeNull();
    expect(await json(down)).toEqual({
      error: 'quota_store_unavailable',
      message: QUOTA_STORE_DOWN(tokenId),
    });
    expect(r.runs).toBe(1);
    expect(r.invoices).toHaveLength(1);
    expect(r.events.at(-1)).toMatchObject({
      type: 'rejected',
      reason: 'quota_store_unavailable',
      status: 503,
      tokenId,
    });
    expect(r.logs.map((l) => [l.level, l.reason, l.msg, l.err?.message])).toEqual([
      [50, 'quota_store_unavailable', QUOTA_STORE_DOWN(tokenId), 'ECONNRESET quota store'],
    ]);

    expect(seen(await call(r.app, authorization))).toBe('200 left=8 retry=null');
    expect(r.runs).toBe(2);
  });

  it('on consume in a pay-on-success retry: 503 quota_store_unavailable, the handler not run, the HTLC still held; the next retry of the same hold delivers and settles', async () => {
    const w = makeWorld();
    const r = holdRoute(w);
    const { macaroon, payment } = await payAndWalkAway(w, r.app);
    const hash = paymentHashOfToken(macaroon);

    r.quotaStore.failConsumes = 1;
    const down = await r.app.request('/v1/job', { headers: holdRetryHeaders(macaroon) });
    expect(seen(down)).toBe('503 left=null retry=1');
    expect(down.headers.get('WWW-Authenticate')).toBeNull();
    expect(await json(down)).toEqual({
      error: 'quota_store_unavailable',
      message: QUOTA_STORE_DOWN(tokenIdOfToken(macaroon)),
    });
    expect(r.runs).toBe(0);
    expect((await w.seller.lookupInvoice(hash))?.state).toBe('accepted');

    const retry = Promise.resolve(r.app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect(seen(await retry)).toBe('200 left=4 retry=null');
    expect(r.runs).toBe(1);
    expect((await payment).status).toBe('succeeded');
    expect((await w.seller.lookupInvoice(hash))?.state).toBe('settled');
    expect(r.invoices).toEqual([hash]);
  });

  it('on consume in a pay-on-success retry through a node that pushes no invoice events: the hold the 503 keeps (its HTLC found accepted by lookup) is canceled at its invoice expiry when no retry comes, and the payer keeps every msat', async () => {
    const w = makeWorld();
    const r = holdRoute(w, { node: eventlessNode(w.seller) });
    const before = await w.buyer.balances();
    const started = w.clock.now();
    const { macaroon, payment } = await payAndWalkAway(w, r.app);
    let outcome: Payment | undefined;
    void payment.then((p) => (outcome = p));

    r.quotaStore.failConsumes = 1;
    const down = await r.app.request('/v1/job', { headers: holdRetryHeaders(macaroon) });
    expect(seen(down)).toBe('503 left=null retry=1');
    expect((await json(down)).error).toBe('quota_store_unavailable');
    // Well before the HTLC's CLTV expiry (80 blocks): at the invoice's own (600 s).
    await w.clock.runUntilIdle(started + 600_000 + 1_000);
    expect(outcome).toMatchObject({ status: 'failed', failure: { reason: 'canceled' } });
    expect(await w.buyer.balances()).toEqual(before);
    expect(r.runs).toBe(0);
  });

  it("on release after the handler's 502: the handler's answer stands, the call stays counted (8 left after it, 7 after the next), the store error logged", async () => {
    const w = makeWorld();
    const r = weatherRoute(w);
    const { authorization, res, challenge } = await buy(w, inMemory(r.app), '/v1/data');
    expect(seen(res)).toBe('200 left=9 retry=null');
    const tokenId = tokenIdOfToken(challenge.macaroon);

    r.quotaStore.failReleases = 1;
    const failed = await call(r.app, authorization, '?fail=1');
    expect(seen(failed)).toBe('502 left=8 retry=null');
    expect(await json(failed)).toEqual({ error: 'upstream_down' });
    expect(r.runs).toBe(2);
    expect(r.logs.map((l) => [l.level, l.msg, l.err?.message])).toEqual([
      [
        50,
        `the quota store could not give back a call of token ${tokenId.slice(0, 16)}… (its handler failed); it stays counted`,
        'ECONNRESET quota store',
      ],
    ]);
    expect(seen(await call(r.app, authorization))).toBe('200 left=7 retry=null');
  });

  it('on release of a call refused before its handler ran (markNotRun): the capacity 503 stands, the call stays counted, the store error logged', async () => {
    const w = makeWorld();
    const r = weatherRoute(w);
    const { authorization, challenge } = await buy(w, inMemory(r.app), '/v1/data');
    const tokenId = tokenIdOfToken(challenge.macaroon);

    r.quotaStore.failReleases = 1;
    const full = await call(r.app, authorization, '?full=1');
    expect(seen(full)).toBe('503 left=8 retry=1');
    expect(await json(full)).toEqual({ error: 'at_capacity' });
    expect(r.logs.map((l) => [l.level, l.msg, l.err?.message])).toEqual([
      [
        50,
        `the quota store could not give back a call of token ${tokenId.slice(0, 16)}… (refused before its handler ran); it stays counted`,
        'ECONNRESET quota store',
      ],
    ]);
    // With the store back, a refused call goes back as before: 8 left after it, 7 after a served one.
    expect(seen(await call(r.app, authorization, '?full=1'))).toBe('503 left=8 retry=1');
    expect(seen(await call(r.app, authorization))).toBe('200 left=7 retry=null');
  });
});
