import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import { tokenIdOfToken } from '../../infra/l402/index.js';
import { drive, makeMarket, type SellerMode } from './market.js';

describe('L402 client against the real paywall on the simnet', () => {
  it('pays the challenge, retries with the token and returns the resource', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 20_000 });
    const events: PurchaseEvent[] = [];
    const client = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      onEvent: (e) => events.push(e),
    });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(s.url);

    expect(r.outcome).toBe('success');
    expect(await r.response!.json()).toMatchObject({ seller: 'alpha', data: 42 });
    expect(r).toMatchObject({
      quotedMsat: 20_000,
      paidMsat: 20_000,
      tokenReused: false,
      requests: 2,
      hops: 2,
    });
    // One hop through the hub: base 100 msat + 1,000 ppm of 20,000.
    expect(r.feeMsat).toBe(120);
    expect(before - (await m.balance(m.buyer))).toBe(20_120);
    expect(r.preimage).toMatch(/^[0-9a-f]{64}$/);
    expect(events.map((e) => e.step)).toEqual(['challenge', 'check', 'authorize', 'pay', 'consume']);
    expect(s.events.map((e) => e.type)).toEqual(['challenge', 'authorized']);
  });

  it('reuses a paid token until its calls are used, then buys a new one', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 3 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await client.purchase(s.url));
    expect(results.map((r) => [r.outcome, r.tokenReused, r.paidMsat])).toEqual([
      ['success', false, 10_000],
      ['success', true, 0],
      ['success', true, 0],
      ['success', false, 10_000],
    ]);
    expect(s.served).toBe(4);
  });

  it('a held token the server says is used up ends as token_refused with nothing paid; the next purchase buys once', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 2 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const first = await client.purchase(s.url);
    // Someone else spends the second call of the same token behind our back.
    const t = client.tokens.get(`http://${s.host}`, '/v1/data')!;
    await m.fetch(s.url, { headers: { authorization: `L402 ${t.macaroon}:${t.preimage}` } });

    const events: string[] = [];
    const watched = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      tokens: client.tokens,
      onEvent: (e) => events.push(e.step),
    });
    const before = await m.balance(m.buyer);
    const refused = await watched.purchase(s.url);
    expect(refused).toMatchObject({
      outcome: 'token_refused',
      tokenReused: true,
      paidMsat: 0,
      requests: 1,
      status: 402,
      paymentHash: first.paymentHash,
      reason: 'the seller refused a held token with calls left (HTTP 402 quota_exhausted)',
    });
    expect(events).toEqual(['reuse']);
    expect(await m.balance(m.buyer)).toBe(before);
    expect(watched.tokens.get(`http://${s.host}`, '/v1/data')).toBeUndefined();

    const next = await watched.purchase(s.url);
    expect(next).toMatchObject({ outcome: 'success', tokenReused: false, paidMsat: 10_000, requests: 2 });
    expect(events).toEqual(['reuse', 'challenge', 'check', 'authorize', 'pay', 'consume']);
    expect(s.events.filter((e) => e.type === 'rejected').map((e) => e.reason)).toEqual(['quota_exhausted']);
  });

  it('a server that answers a revoked token with 401 gets token_refused, then one new purchase', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, mode: 'answers-401' });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const first = await client.purchase(s.url);
    await s.rootKeys.delete(tokenIdOfToken(first.macaroon!));
    const refused = await client.purchase(s.url);
    expect(refused).toMatchObject({ outcome: 'token_refused', paidMsat: 0, requests: 1, status: 401 });
    const r = await client.purchase(s.url);
    expect(r).toMatchObject({ outcome: 'success', tokenReused: false, paidMsat: 10_000, requests: 2 });
    expect(r.paymentHash).not.toBe(first.paymentHash);
  });

  it('a POST body survives the payment and the retry', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"q":"bitcoin'));
        c.enqueue(new TextEncoder().encode(' price"}'));
        c.close();
      },
    });
    const res = await client.fetch(s.url, {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ method: 'POST', body: '{"q":"bitcoin price"}' });
  });

  it('a request that cannot be built ends as bad_request, sends nothing and pays nothing', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);
    const r = await client.purchase('not a url');
    expect(r).toMatchObject({ outcome: 'bad_request', paidMsat: 0, feeMsat: 0 });
    expect(r.reason).toMatch(/url/i);
    expect(s.events).toEqual([]);
    expect(await m.balance(m.buyer)).toBe(before);
  });

  it('a policy denial pays nothing and says why', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 50_000 });
    const policy = createPolicy({ name: 'max_per_request', params: { maxMsat: 40_000 } }, { clock: m.clock });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
    const before = await m.balance(m.buyer);
    const r = await client.purchase(s.url);
    expect(r).toMatchObject({ outcome: 'policy_denied', paidMsat: 0, quotedMsat: 50_000 });
    expect(r.reason).toMatch(/50000 msat is above the per-request maximum of 40000 msat/);
    expect(await m.balance(m.buyer)).toBe(before);
    const res = await client.fetch(s.url);
    expect(res.status).toBe(402);
    expect(res.headers.get('x-l402-outcome')).toBe('policy_denied');
  });

  it('a failed payment releases the budget and leaves no pending token', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const lonely = m.net.addNode({ alias: 'lonely' }); // no channels: no route
    const policy = createPolicy({ name: 'budget_window', params: { limitMsat: 11_000 } }, { clock: m.clock });
    const client = createL402Client({ node: lonely, fetch: m.fetch, clock: m.clock, policy });
    const r = await client.purchase(s.url);
    expect(['no_route', 'insufficient_balance']).toContain(r.outcome);
    expect(client.tokens.list()).toEqual([]);
    // The whole 11,000 msat budget is free again.
    const q = { amountMsat: 10_000, maxFeeMsat: 1_000, url: s.url, host: s.host, payee: s.node.pubkey };
    expect((await policy.authorize(q, { nowMs: m.clock.now() })).kind).toBe('allow');
  });
});

describe('pay-on-success (hold invoices)', () => {
  it('pays only once the seller delivered, and keeps the token for reuse', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, payOnSuccess: true, maxCalls: 3 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);
    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));
    expect(r).toMatchObject({ outcome: 'success', paidMsat: 10_000, requests: 2 });
    expect(r.preimage).toMatch(/^[0-9a-f]{64}$/);
    expect(before - (await m.balance(m.buyer))).toBe(10_000 + r.feeMsat);
    expect(s.events.map((e) => e.type)).toEqual(['challenge', 'authorized', 'settled']);
    const again = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));
    expect(again).toMatchObject({ outcome: 'success', tokenReused: true, paidMsat: 0 });
  });

  it('a seller that fails to deliver is not paid and the budget is released', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, payOnSuccess: true, failing: true });
    const policy = createPolicy({ name: 'budget_window', params: { limitMsat: 11_000 } }, { clock: m.clock });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
    const before = await m.balance(m.buyer);
    const r = await drive(m.clock, client.purchase(s.url, {}, { payOnSuccess: true }));
    expect(r).toMatchObject({ outcome: 'not_delivered', paidMsat: 0, feeMsat: 0, status: 500 });
    expect(await m.balance(m.buyer)).toBe(before);
    expect((await m.buyer.balances()).pendingOutMsat).toBe(0);
    expect(client.tokens.list()).toEqual([]);
    const q = { amountMsat: 10_000, maxFeeMsat: 1_000, url: s.url, host: s.host, payee: s.node.pubkey };
    expect((await policy.authorize(q, { nowMs: m.clock.now() })).kind).toBe('allow');
  });
});

describe('invoices are checked before paying', () => {
  const cases: { name: string; mode: SellerMode; hints?: object; rejection: string }[] = [
    {
      name: 'an invoice above the advertised price is refused',
      mode: 'overcharge',
      hints: { quotedPriceMsat: 10_000 },
      rejection: 'over_quoted_price',
    },
    {
      name: 'an invoice from another node than the advertised one is refused',
      mode: 'wrong-payee',
      rejection: 'wrong_payee',
    },
    { name: 'an invoice that expired before it arrived is refused', mode: 'expired', rejection: 'expired' },
    {
      name: 'an invoice for another hash than the macaroon is refused',
      mode: 'hash-mismatch',
      rejection: 'hash_mismatch',
    },
    { name: 'an invoice for another network is refused', mode: 'wrong-network', rejection: 'wrong_network' },
  ];
  it.each(cases)('$name', async ({ mode, hints, rejection }) => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'cheat', priceMsat: 10_000, mode });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);
    const r = await drive(m.clock, client.purchase(s.url, {}, { expectedPayee: s.node.pubkey, ...hints }));
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection, paidMsat: 0, feeMsat: 0 });
    expect(await m.balance(m.buyer)).toBe(before);
    expect(client.tokens.list()).toEqual([]);
    expect(s.served).toBe(0);
  });

  it('a price ceiling from the caller refuses a dearer invoice', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const r = await client.purchase(s.url, {}, { maxPriceMsat: 9_999 });
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'over_quoted_price' });
  });
});
