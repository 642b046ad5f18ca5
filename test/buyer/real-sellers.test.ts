import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createRegistryApp } from '../../services/registry/app.js';
import { RegistryClient } from '../../services/registry/client.js';
import { Registry } from '../../services/registry/registry.js';
import { nodeSigner } from '../../services/registry/signing.js';
import { createSeller, type SellerConfigInput } from '../../services/sellers/index.js';
import { drive, makeMarket } from './market.js';

/** Real seller archetypes, registered over the registry's HTTP API, bought by the graph through RegistryClient. */
async function realMarket(
  configs: (SellerConfigInput & { name: string })[],
  quoteFrom: 'challenge' | 'manifest' = 'challenge',
) {
  const m = makeMarket();
  const registry = await Registry.open({ clock: m.clock, network: 'regtest' });
  m.mount('registry.test', createRegistryApp(registry));
  const client = new RegistryClient({
    baseUrl: 'http://registry.test',
    fetch: (req) => m.fetch(req),
    clock: m.clock,
  });
  const sellers = [];
  const challenges: Record<string, number> = {};
  for (const config of configs) {
    const node = m.addNode(config.name);
    challenges[config.name] = 0;
    const seller = await createSeller(config, {
      node,
      clock: m.clock,
      rng: m.rng.fork(config.name),
      onEvent: (e) => {
        if (e.type === 'challenge') challenges[config.name]!++;
      },
      ...(config.adversarial?.mode === 'wrong-payee' ? { payeeNode: m.mallory } : {}),
    });
    m.mount(`${config.name}.test`, seller.app);
    const r = await client.register(seller.listing(`http://${config.name}.test`), await nodeSigner(node));
    if (!r.ok) throw new Error(`${config.name}: ${r.code} ${r.message}`);
    sellers.push({ seller, node, listing: r.listing });
  }
  const buyer = createBuyerAgent({
    name: 'buyer',
    registry: client,
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    quoteFrom,
  });
  return { m, sellers, buyer, challenges, capability: sellers[0]!.listing.capabilities[0]! };
}

const feed = (name: string, msat: number, extra: Partial<SellerConfigInput> = {}) => ({
  name,
  archetype: 'data-feed' as const,
  price: { kind: 'fixed' as const, msat },
  latency: { kind: 'fixed' as const, ms: 0 },
  ...extra,
});

describe('the buyer graph against the real seller archetypes and the registry over HTTP', () => {
  it('buys from the cheapest of three data feeds', async () => {
    const { m, buyer, capability, challenges } = await realMarket([
      feed('feed-a', 9_000),
      feed('feed-b', 4_000),
      feed('feed-c', 6_000),
    ]);
    const before = await m.balance(m.buyer);
    const r = await drive(m.clock, buyer.runTask({ id: 't', capability, valueMsat: 50_000, calls: 1 }));
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat])).toEqual([['feed-b', 'success', 4_000]]);
    expect(before - (await m.balance(m.buyer))).toBe(4_000 + r.feesMsat);
    // Quoting from live challenges asks every candidate for an invoice.
    expect(challenges).toEqual({ 'feed-a': 1, 'feed-b': 1, 'feed-c': 1 });
  });

  it('quoting from the discovery manifests asks only the chosen seller for an invoice', async () => {
    const { m, buyer, capability, challenges } = await realMarket(
      [feed('feed-a', 9_000), feed('feed-b', 4_000), feed('feed-c', 6_000)],
      'manifest',
    );
    const r = await drive(m.clock, buyer.runTask({ id: 't', capability, valueMsat: 50_000, calls: 1 }));
    expect(r.purchases.map((p) => [p.seller, p.outcome])).toEqual([['feed-b', 'success']]);
    expect(r.steps.map((x) => x.node)).toEqual([
      'discover',
      'quote',
      'decide',
      'authorize',
      'pay',
      'consume',
      'evaluate',
    ]);
    expect(challenges).toEqual({ 'feed-a': 0, 'feed-b': 1, 'feed-c': 0 });
  });

  it('a manifest quote is still checked against the real invoice before paying', async () => {
    const { m, buyer, capability } = await realMarket(
      [feed('greedy', 2_000, { adversarial: { mode: 'overcharge', factor: 3 } }), feed('honest', 8_000)],
      'manifest',
    );
    const r = await drive(m.clock, buyer.runTask({ id: 't', capability, valueMsat: 50_000, calls: 1 }));
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.rejection ?? null])).toEqual([
      ['greedy', 'invoice_rejected', 'over_quoted_price'],
      ['honest', 'success', null],
    ]);
  });

  it('refuses the overcharging and the wrong-payee sellers before paying, then buys an honest one', async () => {
    const { m, buyer, capability } = await realMarket([
      feed('greedy', 2_000, { adversarial: { mode: 'overcharge', factor: 3 } }),
      feed('imposter', 3_000, { adversarial: { mode: 'wrong-payee' } }),
      feed('honest', 8_000),
    ]);
    const before = await m.balance(m.buyer);
    const r = await drive(m.clock, buyer.runTask({ id: 't', capability, valueMsat: 50_000, calls: 1 }));
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.rejection ?? null])).toEqual([
      ['greedy', 'invoice_rejected', 'over_quoted_price'],
      ['imposter', 'invoice_rejected', 'wrong_payee'],
      ['honest', 'success', null],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(8_000 + r.feesMsat);
    expect(await m.balance(m.mallory)).toBe(0);
  });

  it('a seller that takes the money and delivers nothing is recorded and the next one is bought', async () => {
    const { m, buyer, capability } = await realMarket([
      feed('thief', 1_000, { adversarial: { mode: 'no-delivery', answer: 'error' } }),
      feed('honest', 5_000),
    ]);
    const r = await drive(m.clock, buyer.runTask({ id: 't', capability, valueMsat: 50_000, calls: 1 }));
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat])).toEqual([
      ['thief', 'not_delivered', 1_000],
      ['honest', 'success', 5_000],
    ]);
    expect(r).toMatchObject({ done: true, spentMsat: 6_000 });
  });

  it("sends a task's headers with its body, so a JSON job reaches the compute seller as JSON", async () => {
    const { m, buyer, capability } = await realMarket([
      {
        name: 'calc',
        archetype: 'compute',
        price: { kind: 'fixed', msat: 2_000 },
        latency: { kind: 'fixed', ms: 0 },
      },
    ]);
    const job = { capability, valueMsat: 50_000, calls: 1, method: 'POST', body: '{"numbers":[1,2,3]}' };
    const r = await drive(
      m.clock,
      buyer.runTask({ id: 'json', ...job, headers: { 'content-type': 'application/json' } }),
    );
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.status])).toEqual([['calc', 'success', 200]]);
    expect(r).toMatchObject({ done: true, spentMsat: 2_000 });
    // Without the header the string body goes out as text/plain, and the seller refuses it.
    const plain = await drive(m.clock, buyer.runTask({ id: 'plain', ...job }));
    expect(plain.purchases.map((p) => [p.outcome, p.reason])).toEqual([['seller_error', 'HTTP 415']]);
    expect(plain.done).toBe(false);
  });

  it('stops with registry_unavailable when the registry cannot be reached', async () => {
    const { m, capability } = await realMarket([feed('feed-a', 1_000)]);
    let searches = 0;
    const unreachable = new RegistryClient({
      baseUrl: 'http://nowhere.test',
      fetch: (req) => (searches++, m.fetch(req)),
      clock: m.clock,
    });
    const buyer = createBuyerAgent({
      name: 'lost',
      registry: unreachable,
      client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
      decider: createDecider('cheapest', { clock: m.clock }),
      clock: m.clock,
    });
    // Its search is sent 3 times (the client's default 2 retries, 250 ms and 500 ms apart) before it stops.
    const r = await drive(m.clock, buyer.runTask({ id: 't', capability, valueMsat: 1_000, calls: 1 }));
    expect(r).toMatchObject({ done: false, stopReason: 'registry_unavailable', purchases: [] });
    expect(searches).toBe(3);
  });
});
