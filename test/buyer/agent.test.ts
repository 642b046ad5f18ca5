import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type Task } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy, type PaymentPolicy } from '../../agents/policies/index.js';
import { makeMarket, type Market, type SellerSpec } from './market.js';

async function setup(
  specs: SellerSpec[],
  {
    decider = 'cheapest',
    policy,
  }: { decider?: Parameters<typeof createDecider>[0]; policy?: PaymentPolicy } = {},
) {
  const m = makeMarket();
  for (const spec of specs) m.addSeller(spec);
  const registry = await m.registry();
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
  const agent = createBuyerAgent({
    name: 'buyer-1',
    registry,
    client,
    decider: createDecider(decider, { clock: m.clock, rng: m.rng.fork('decider') }),
    clock: m.clock,
  });
  return { m, agent, client };
}

const task = (over: Partial<Task> = {}): Task => ({
  id: 't1',
  capability: 'data',
  valueMsat: 100_000,
  calls: 1,
  ...over,
});
const paidTo = (m: Market) => m.sellers.map((s) => s.events.filter((e) => e.type === 'authorized').length);

describe('the buyer graph', () => {
  it('buys from the cheapest of three sellers', async () => {
    const { m, agent } = await setup([
      { name: 'alpha', priceMsat: 30_000 },
      { name: 'beta', priceMsat: 10_000 },
      { name: 'gamma', priceMsat: 20_000 },
    ]);
    const before = await m.balance(m.buyer);
    const r = await agent.runTask(task());
    expect(r).toMatchObject({ done: true, stopReason: 'done', calls: 1, spentMsat: 10_000 });
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat])).toEqual([['beta', 'success', 10_000]]);
    expect(paidTo(m)).toEqual([0, 1, 0]);
    expect(before - (await m.balance(m.buyer))).toBe(r.spentMsat + r.feesMsat);
    // Every seller was quoted (a live challenge each), only one was paid.
    expect(m.sellers.map((s) => s.events.filter((e) => e.type === 'challenge').length)).toEqual([1, 1, 1]);
  });

  it('best value prefers a trusted seller over a cheaper doubtful one; cheapest does not', async () => {
    const specs: SellerSpec[] = [
      { name: 'doubtful', priceMsat: 10_000, quality: 0.2 },
      { name: 'trusted', priceMsat: 20_000, quality: 0.9 },
      { name: 'pricey', priceMsat: 60_000, quality: 1 },
    ];
    const best = await setup(specs, { decider: 'best_value' });
    const cheap = await setup(specs, { decider: 'cheapest' });
    expect((await best.agent.runTask(task())).purchases[0]!.seller).toBe('trusted');
    expect((await cheap.agent.runTask(task())).purchases[0]!.seller).toBe('doubtful');
  });

  it('a multi-call task reuses one bundle token for every call', async () => {
    const { m, agent } = await setup([{ name: 'alpha', priceMsat: 30_000, maxCalls: 5 }]);
    const r = await agent.runTask(task({ calls: 4 }));
    expect(r).toMatchObject({ done: true, calls: 4, spentMsat: 30_000 });
    expect(r.purchases.map((p) => p.tokenReused)).toEqual([false, true, true, true]);
    expect(m.sellers[0]!.served).toBe(4);
  });

  it('a single-call tier is bought again for each call from the fresh challenge', async () => {
    const { m, agent } = await setup([
      { name: 'alpha', priceMsat: 10_000, maxCalls: 1 },
      { name: 'beta', priceMsat: 15_000, maxCalls: 1 },
    ]);
    const r = await agent.runTask(task({ calls: 3 }));
    expect(r).toMatchObject({ done: true, calls: 3, spentMsat: 30_000 });
    expect(r.purchases.filter((p) => p.outcome === 'success').map((p) => p.seller)).toEqual([
      'alpha',
      'alpha',
      'alpha',
    ]);
    // The token's max_calls caveat told the buyer it was used up: no call was wasted on a refusal.
    expect(m.sellers[0]!.events.filter((e) => e.type === 'rejected')).toHaveLength(0);
    expect(m.sellers[0]!.events.filter((e) => e.type === 'challenge')).toHaveLength(3);
  });

  it('an overcharging seller is refused at the quote and the next-best seller is paid', async () => {
    const { m, agent } = await setup([
      { name: 'cheat', priceMsat: 5_000, mode: 'overcharge' },
      { name: 'honest', priceMsat: 12_000 },
    ]);
    const before = await m.balance(m.buyer);
    const r = await agent.runTask(task());
    expect(r.purchases.map((p) => [p.seller, p.outcome, p.rejection])).toEqual([
      ['cheat', 'invoice_rejected', 'over_quoted_price'],
      ['honest', 'success', undefined],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(12_000 + r.feesMsat);
  });

  it('a seller whose node is offline fails the payment and the next-best quote is bought', async () => {
    const { m, agent } = await setup([
      { name: 'offline', priceMsat: 8_000 },
      { name: 'online', priceMsat: 9_000 },
    ]);
    m.net.setOnline(m.sellers[0]!.node, false);
    const r = await agent.runTask(task());
    expect(r.purchases.map((p) => [p.seller, p.outcome])).toEqual([
      ['offline', 'no_route'],
      ['online', 'success'],
    ]);
    expect(r).toMatchObject({ done: true, spentMsat: 9_000 });
  });

  it('stops when the budget is gone, with the calls it could pay for', async () => {
    const m0 = makeMarket();
    const policy = createPolicy(
      { name: 'budget_window', params: { limitMsat: 33_000, window: 'day' } },
      { clock: m0.clock },
    );
    const { agent } = await setup([{ name: 'alpha', priceMsat: 10_000, maxCalls: 1 }], { policy });
    const r = await agent.runTask(task({ calls: 5 }));
    expect(r).toMatchObject({ done: false, stopReason: 'budget_exhausted', calls: 3, spentMsat: 30_000 });
    expect(r.purchases.at(-1)).toMatchObject({ outcome: 'over_budget', paidMsat: 0 });
  });

  it('a policy denial skips that seller and buys the next', async () => {
    const m0 = makeMarket();
    const policy = createPolicy({ name: 'denylist', params: { categories: ['shady'] } }, { clock: m0.clock });
    const { agent } = await setup(
      [
        { name: 'shady', priceMsat: 1_000, category: 'shady' },
        { name: 'fine', priceMsat: 5_000 },
      ],
      { policy },
    );
    const r = await agent.runTask(task());
    expect(r.purchases.map((p) => [p.seller, p.outcome])).toEqual([
      ['shady', 'policy_denied'],
      ['fine', 'success'],
    ]);
  });

  it('reports no sellers when nobody offers the capability', async () => {
    const { agent } = await setup([{ name: 'alpha', priceMsat: 1_000 }]);
    const r = await agent.runTask(task({ capability: 'teleport' }));
    expect(r).toMatchObject({ done: false, stopReason: 'no_sellers', purchases: [] });
  });

  it('buys nothing when every offer costs more than the task is worth', async () => {
    const { m, agent } = await setup([{ name: 'alpha', priceMsat: 50_000, maxCalls: 1 }]);
    const before = await m.balance(m.buyer);
    const r = await agent.runTask(task({ valueMsat: 60_000, calls: 2 }));
    expect(r).toMatchObject({ done: false, stopReason: 'no_acceptable_offer', spentMsat: 0 });
    expect(await m.balance(m.buyer)).toBe(before);
  });

  it('the random decider repeats its picks for a fixed seed: a, d, b, b among four equal offers', async () => {
    const specs: SellerSpec[] = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      priceMsat: 10_000,
      maxCalls: 1,
    }));
    const picks = async () => {
      const { agent } = await setup(specs, { decider: 'random' });
      const out = [];
      for (let i = 0; i < 4; i++) out.push((await agent.runTask(task({ id: `t${i}` }))).purchases[0]!.seller);
      return out;
    };
    const first = await picks();
    expect(await picks()).toEqual(first);
    expect(first).toEqual(['a', 'd', 'b', 'b']);
  });

  it('a held token is used without asking the other sellers for invoices', async () => {
    const { m, agent } = await setup([
      { name: 'alpha', priceMsat: 10_000, maxCalls: 5 },
      { name: 'beta', priceMsat: 20_000 },
    ]);
    await agent.runTask(task({ id: 'first' }));
    const r = await agent.runTask(task({ id: 'second' }));
    expect(r.purchases).toMatchObject([
      { seller: 'alpha', outcome: 'success', tokenReused: true, paidMsat: 0 },
    ]);
    expect(m.sellers.map((s) => s.events.filter((e) => e.type === 'challenge').length)).toEqual([1, 1]);
  });

  it('records each node with clock timings and names the graph nodes', async () => {
    const { agent } = await setup([{ name: 'alpha', priceMsat: 1_000 }]);
    const r = await agent.runTask(task());
    expect(r.steps.map((s) => s.node)).toEqual([
      'discover',
      'quote',
      'decide',
      'authorize',
      'pay',
      'consume',
      'evaluate',
    ]);
    expect(Object.keys(agent.graph.nodes)).toEqual(
      expect.arrayContaining([
        'discover',
        'quote',
        'decide',
        'authorize',
        'pay',
        'consume',
        'evaluate',
        'delegate',
      ]),
    );
  });

  it('refuses a malformed task with a code', async () => {
    const { agent } = await setup([{ name: 'alpha', priceMsat: 1_000 }]);
    await expect(agent.runTask(task({ calls: 0 }))).rejects.toMatchObject({ code: 'invalid_task' });
    await expect(agent.runTask(task({ valueMsat: 1.5 }))).rejects.toThrow(/valueMsat/);
  });
});
