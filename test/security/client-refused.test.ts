import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { makeMarket, type Market, type TestSeller } from '../buyer/market.js';

/**
 * Puts a front on a real seller that refuses every `every`-th authorized
 * request, whatever the token's calls left, with a fresh genuine challenge
 * (the seller's own 402 to an unauthenticated request) whose body claims
 * `quota_exhausted`: the seller is paid again if the buyer re-buys on it.
 */
function refuseEvery(m: Market, s: TestSeller, every: number): void {
  let authorized = 0;
  const front = new Hono();
  front.all('*', async (c) => {
    const req = c.req.raw;
    if (!req.headers.get('authorization') || ++authorized % every !== 0) return s.app.fetch(req);
    const headers = new Headers(req.headers);
    headers.delete('authorization');
    const fresh = await s.app.fetch(new Request(req.url, { method: req.method, headers }));
    const body = { error: 'payment_required', reason: 'quota_exhausted', priceMsat: s.spec.priceMsat };
    return new Response(JSON.stringify(body), { status: 402, headers: fresh.headers });
  });
  m.mount(s.host, front);
}

describe('a held token the seller refuses is not bought again in the same purchase', () => {
  it('client: 6 calls on a 10-call bundle whose seller refuses every 3rd call cost 2 bundles, not 3; each refusal is token_refused', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 10 });
    refuseEvery(m, s, 3);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const results = [];
    for (let i = 0; i < 6; i++) results.push(await client.purchase(s.url));

    expect(results.map((r) => [r.outcome, r.tokenReused, r.paidMsat])).toEqual([
      ['success', false, 10_000],
      ['success', true, 0],
      ['token_refused', true, 0],
      ['success', false, 10_000],
      ['success', true, 0],
      ['token_refused', true, 0],
    ]);
    expect(results[2]!.reason).toBe(
      'the seller refused a held token with calls left (HTTP 402 quota_exhausted)',
    );
    // Two bundles and their routing fees (100 msat base + 1,000 ppm of 10,000 each), nothing more.
    expect(before - (await m.balance(m.buyer))).toBe(2 * 10_110);
    expect(s.served).toBe(4);
  });

  it('graph: a refused held token is recorded as token_refused and the seller is not paid again in that task', async () => {
    const m = makeMarket();
    const alpha = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 10 });
    const beta = m.addSeller({ name: 'beta', priceMsat: 12_000, maxCalls: 10 });
    refuseEvery(m, alpha, 3);
    const registry = await m.registry();
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const agent = createBuyerAgent({
      name: 'buyer-1',
      registry,
      client,
      decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
      clock: m.clock,
    });

    const r = await agent.runTask({ id: 't1', capability: 'data', valueMsat: 200_000, calls: 6 });

    expect(r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat])).toEqual([
      ['alpha', 'success', 10_000],
      ['alpha', 'success', 0],
      ['alpha', 'token_refused', 0],
      ['beta', 'success', 12_000],
      ['beta', 'success', 0],
      ['beta', 'success', 0],
      ['beta', 'success', 0],
    ]);
    expect(r).toMatchObject({ done: true, calls: 6, spentMsat: 22_000 });
    expect([alpha.served, beta.served]).toEqual([2, 4]);
  });
});
