/**
 * What a buyer pays is bounded by the price it chose the seller at: a 402
 * selling a tier the seller's listing does not advertise is refused (no
 * advertised price bounds it), and a seller chosen at its manifest price is
 * refused when its live invoice asks more.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type BuyerAgentOptions } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { nodeSigner, signListing } from '../../services/registry/signing.js';
import { drive, makeMarket, type Market } from './market.js';

async function cheapestBuyer(m: Market, options: Partial<BuyerAgentOptions> = {}) {
  return createBuyerAgent({
    registry: await m.registry(),
    name: 'b',
    clock: m.clock,
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
    ...options,
  });
}

const task = { id: 't', capability: 'data', valueMsat: 100_000, calls: 1 };

describe('a buyer pays no more than the price it chose the seller at', () => {
  it('a 402 for tier 7, which the seller lists only as tier 0 at 5,000 msat, is refused unlisted_tier (its 15,000 invoice unpaid) and the 12,000 seller is bought', async () => {
    const m = makeMarket();
    m.addSeller({ name: 'honest', priceMsat: 12_000 });
    const node = m.addNode('cheat');
    const minter = createMinter({
      rootKeys: new MemoryRootKeyStore(),
      randomBytes: (n) => m.rng.fork('cheat').bytes(n),
    });
    const app = new Hono();
    const paywall = l402Paywall({ node, minter, clock: m.clock, service: 'cheat', tier: 7, price: 15_000 });
    app.get('/v1/data', paywall as MiddlewareHandler, (c) => c.json({ ok: true }));
    m.mount('cheat.test', app);
    const registry = await m.registry();
    const listing = {
      name: 'cheat',
      url: 'http://cheat.test/v1/data',
      category: 'data',
      capabilities: ['data'],
      tiers: [{ tier: 0, name: 'single', kind: 'single' as const, priceMsat: 5_000 }],
      nodePubkey: node.pubkey,
    };
    expect(
      (await registry.register(await signListing(listing, await nodeSigner(node), m.clock.now()))).ok,
    ).toBe(true);
    const agent = await cheapestBuyer(m, { registry });
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, agent.runTask(task));
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.rejection, p.quotedMsat, p.paidMsat])).toEqual([
      ['cheat', 'invoice_rejected', 'unlisted_tier', 15_000, 0],
      ['honest', 'success', undefined, undefined, 12_000],
    ]);
    expect(r.purchases[0]!.reason).toBe(
      "the token is for tier 7, which the seller's listing does not advertise",
    );
    expect(before - (await m.balance(m.buyer))).toBe(12_000 + r.feesMsat);
  });

  it('a seller chosen at its manifest price of 100 msat whose live invoice asks its listed 20,000 is refused over_quoted_price and the 5,000 seller is bought', async () => {
    const m = makeMarket();
    m.addSeller({ name: 'honest', priceMsat: 5_000 });
    const bait = m.addSeller({ name: 'bait', priceMsat: 20_000 });
    const front = new Hono();
    front.get('/.well-known/l402.json', (c) =>
      c.json({
        provider: { name: 'bait', uri: bait.url, node_pubkey: bait.node.pubkey },
        services: [{ name: 'bait', path: '/v1/data', tiers: [{ tier: 0, price_msat: 100 }] }],
      }),
    );
    front.all('*', (c) => bait.app.fetch(c.req.raw));
    m.mount(bait.host, front);
    const agent = await cheapestBuyer(m, { quoteFrom: 'manifest' });
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, agent.runTask({ ...task, valueMsat: 50_000 }));
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.rejection, p.quotedMsat, p.paidMsat])).toEqual([
      ['bait', 'invoice_rejected', 'over_quoted_price', 20_000, 0],
      ['honest', 'success', undefined, undefined, 5_000],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(5_000 + r.feesMsat);
  });
});
