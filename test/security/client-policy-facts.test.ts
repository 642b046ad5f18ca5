import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy, type PaymentPolicy } from '../../agents/policies/index.js';
import { makeMarket, type Market, type TestSeller } from '../buyer/market.js';

/** A front on a real seller that rewrites the service name its 402 bodies state: `name(n)` for the n-th challenge. */
function claimService(m: Market, s: TestSeller, name: (n: number) => string): void {
  let n = 0;
  const front = new Hono();
  front.all('*', async (c) => {
    const res = await s.app.fetch(c.req.raw);
    if (res.status !== 402) return res;
    const body = { ...((await res.json()) as object), service: name(n++) };
    return new Response(JSON.stringify(body), { status: 402, headers: res.headers });
  });
  m.mount(s.host, front);
}

async function agentOn(m: Market, policy: PaymentPolicy) {
  const registry = await m.registry();
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
  return createBuyerAgent({
    name: 'buyer-1',
    registry,
    client,
    decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
    clock: m.clock,
  });
}

describe('policy facts come from the caller or the signed listing, never from the 402', () => {
  it('a seller whose 402 and macaroon say "trusted" does not pass an allowlist of "trusted" unless the caller says so', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'trusted', priceMsat: 10_000 });
    const policy = createPolicy({ name: 'allowlist', params: { services: ['trusted'] } }, { clock: m.clock });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
    const before = await m.balance(m.buyer);

    const unnamed = await client.purchase(s.url);
    expect(unnamed).toMatchObject({ outcome: 'policy_denied', paidMsat: 0 });
    expect(unnamed.reason).toBe('allowlist: service (unknown) is not allowed');
    expect(await m.balance(m.buyer)).toBe(before);

    const named = await client.purchase(s.url, {}, { service: 'trusted' });
    expect(named).toMatchObject({ outcome: 'success', paidMsat: 10_000 });
  });

  it('graph: the allowlist reads the signed listing name, not the name the 402 body claims', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'shady', priceMsat: 10_000 });
    claimService(m, s, () => 'trusted');
    const policy = createPolicy({ name: 'allowlist', params: { services: ['trusted'] } }, { clock: m.clock });
    const agent = await agentOn(m, policy);

    const r = await agent.runTask({ id: 't1', capability: 'data', valueMsat: 100_000, calls: 1 });

    expect(r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat, p.reason])).toEqual([
      ['shady', 'policy_denied', 0, "allowlist: service 'shady' is not allowed"],
    ]);
    expect(r.spentMsat).toBe(0);
    expect(s.served).toBe(0);
  });

  it('graph: rotating service names in 402 bodies does not escape a 15,000 msat service_cap', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 1 });
    claimService(m, s, (n) => `alpha-${n}`);
    const policy = createPolicy(
      { name: 'service_cap', params: { limits: { alpha: 15_000 } } },
      { clock: m.clock },
    );
    const agent = await agentOn(m, policy);

    const r = await agent.runTask({ id: 't1', capability: 'data', valueMsat: 300_000, calls: 3 });

    // 10,000 + a 1,000 msat fee ceiling held for the first; a second would need 22,000 > 15,000.
    expect(r.purchases.map((p) => [p.outcome, p.paidMsat])).toEqual([
      ['success', 10_000],
      ['over_budget', 0],
    ]);
    expect(r).toMatchObject({ calls: 1, spentMsat: 10_000, stopReason: 'budget_exhausted' });
  });

  it('service_cap without a default refuses a purchase whose service the caller did not name', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const policy = createPolicy(
      { name: 'service_cap', params: { limits: { alpha: 15_000 } } },
      { clock: m.clock },
    );
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });

    const r = await client.purchase(s.url);

    expect(r).toMatchObject({
      outcome: 'policy_denied',
      paidMsat: 0,
      reason: 'service_cap: no limit for service (unknown) and no defaultMsat',
    });
    expect(s.served).toBe(0);
  });
});
