import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { makeMarket, type Market } from './market.js';

/**
 * A seller behind the real paywall (default `releaseQuotaOnServerError`: a 5xx
 * gives the call back) whose handler answers 500 on the handler runs listed in `failing`.
 */
function flakySeller(m: Market, { maxCalls, failing }: { maxCalls: number; failing: number[] }) {
  const node = m.addNode('flaky');
  const rng = m.rng.fork('flaky');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const events: PaywallEvent[] = [];
  const paywall = l402Paywall({
    node,
    minter,
    clock: m.clock,
    service: 'flaky',
    price: 5_000,
    maxCalls,
    onEvent: (e) => events.push(e),
  });
  const seller = { url: 'http://flaky.test/v1/data', runs: 0, served: 0, events };
  const app = new Hono();
  app.get('/v1/data', paywall, (c) => {
    if (failing.includes(++seller.runs)) return c.json({ error: 'internal' }, 500);
    seller.served++;
    return c.json({ data: 42 });
  });
  m.mount('flaky.test', app);
  return seller;
}

/** The market's fetch, except that the authorized requests numbered in `lost` fail as a dropped connection. */
function dropping(m: Market, lost: number[], { afterSeller }: { afterSeller: boolean }): typeof fetch {
  let authorized = 0;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    if (!new Headers(init?.headers).has('authorization') || !lost.includes(++authorized))
      return m.fetch(input, init);
    // The seller handles the request and its answer is lost, or the request never reaches it.
    if (afterSeller) await (await m.fetch(input, init)).arrayBuffer();
    throw new TypeError('fetch failed: ECONNRESET');
  }) as typeof fetch;
}

/** A seller behind the real paywall that lets each token make one call a minute (over it: 429 before counting). */
function rateLimitedSeller(m: Market, maxCalls: number) {
  const node = m.addNode('limited');
  const rng = m.rng.fork('limited');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const paywall = l402Paywall({
    node,
    minter,
    clock: m.clock,
    service: 'limited',
    price: 5_000,
    maxCalls,
    rateLimit: { calls: 1, perMs: 60_000 },
  });
  const seller = { url: 'http://limited.test/v1/data', served: 0 };
  const app = new Hono();
  app.get('/v1/data', paywall, (c) => {
    seller.served++;
    return c.json({ data: 42 });
  });
  m.mount('limited.test', app);
  return seller;
}

describe('a paid call that failed gives its call back', () => {
  it('a 1-call token paid for and answered 500: the call goes back (callsUsed 0), the retry reuses it and nothing more is paid (5,105 msat for 1 delivered call)', async () => {
    const m = makeMarket();
    const s = flakySeller(m, { maxCalls: 1, failing: [1] });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const first = await client.purchase(s.url);
    expect(first).toMatchObject({ outcome: 'not_delivered', status: 500, paidMsat: 5_000, feeMsat: 105 });
    expect(client.tokens.list().map((t) => [t.state, t.callsUsed, t.maxCalls])).toEqual([['paid', 0, 1]]);

    const retry = await client.purchase(s.url);
    expect(retry).toMatchObject({ outcome: 'success', status: 200, tokenReused: true, paidMsat: 0 });
    expect(retry.paymentHash).toBe(first.paymentHash);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[1, 1]]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(s.events.filter((e) => e.type === 'challenge')).toHaveLength(1);
    expect([s.runs, s.served]).toEqual([2, 1]);
  });

  it('a 1-call token paid for whose request never reached the seller: the retry reuses it (5,105 msat for 1 delivered call)', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'one', priceMsat: 5_000, maxCalls: 1 });
    const fetch = dropping(m, [1], { afterSeller: false });
    const client = createL402Client({ node: m.buyer, fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const first = await client.purchase(s.url);
    expect(first).toMatchObject({
      outcome: 'not_delivered',
      reason: 'request failed: fetch failed: ECONNRESET',
      paidMsat: 5_000,
      feeMsat: 105,
    });
    expect(client.tokens.list().map((t) => t.callsUsed)).toEqual([0]);
    const retry = await client.purchase(s.url);
    expect(retry).toMatchObject({ outcome: 'success', tokenReused: true, paidMsat: 0 });
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(s.served).toBe(1);
    expect(s.events.filter((e) => e.type === 'challenge')).toHaveLength(1);
  });

  it('a 1-call token whose answer was lost after the seller counted the call: the retry is refused (token_refused, 0 msat) and dropped, the next purchase buys (10,210 msat for 2 calls served)', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'one', priceMsat: 5_000, maxCalls: 1 });
    const fetch = dropping(m, [1], { afterSeller: true });
    const client = createL402Client({ node: m.buyer, fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const first = await client.purchase(s.url);
    expect(first).toMatchObject({ outcome: 'not_delivered', paidMsat: 5_000 });
    const retry = await client.purchase(s.url);
    expect(retry).toMatchObject({ outcome: 'token_refused', status: 402, tokenReused: true, paidMsat: 0 });
    expect(client.tokens.list()).toEqual([]);
    const next = await client.purchase(s.url);
    expect(next).toMatchObject({ outcome: 'success', tokenReused: false, paidMsat: 5_000 });
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
    expect(s.served).toBe(2);
  });

  it('a held 2-call token whose second call is answered 500 keeps that call: 2 calls delivered on 1 payment of 5,105 msat', async () => {
    const m = makeMarket();
    const s = flakySeller(m, { maxCalls: 2, failing: [2] });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const results = [];
    for (let i = 0; i < 3; i++) results.push(await client.purchase(s.url));
    expect(results.map((r) => [r.outcome, r.status, r.tokenReused, r.paidMsat])).toEqual([
      ['success', 200, false, 5_000],
      ['not_delivered', 500, true, 0],
      ['success', 200, true, 0],
    ]);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[2, 2]]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(s.served).toBe(2);
  });

  it('a held token whose call gets no answer keeps that call: the next purchase reuses it, 1 payment of 5,105 msat', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'two', priceMsat: 5_000, maxCalls: 2 });
    const fetch = dropping(m, [2], { afterSeller: false });
    const client = createL402Client({ node: m.buyer, fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const results = [];
    for (let i = 0; i < 3; i++) results.push(await client.purchase(s.url));
    expect(results.map((r) => [r.outcome, r.tokenReused, r.paidMsat])).toEqual([
      ['success', false, 5_000],
      ['seller_error', true, 0],
      ['success', true, 0],
    ]);
    expect(client.tokens.list().map((t) => t.callsUsed)).toEqual([2]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(s.served).toBe(2);
  });

  it('a held token refused 429 by the paywall’s rate limit (before it counts) keeps that call: a minute later it is reused, 1 payment of 5,105 msat for 2 calls', async () => {
    const m = makeMarket();
    const s = rateLimitedSeller(m, 2);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const results = [await client.purchase(s.url), await client.purchase(s.url)];
    expect(client.tokens.list().map((t) => t.callsUsed)).toEqual([1]);
    await m.clock.advance(60_000);
    results.push(await client.purchase(s.url));
    expect(results.map((r) => [r.outcome, r.status, r.tokenReused, r.paidMsat])).toEqual([
      ['success', 200, false, 5_000],
      ['rate_limited', 429, true, 0],
      ['success', 200, true, 0],
    ]);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[2, 2]]);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(s.served).toBe(2);
  });
});
