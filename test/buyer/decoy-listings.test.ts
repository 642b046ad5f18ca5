import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { HealthProber } from '../../services/registry/health.js';
import { nodeSigner, signListing } from '../../services/registry/signing.js';
import { drive, makeMarket } from './market.js';

/**
 * An honest seller at 12,000 msat, and one node key (`cheat`) listing `decoys` single calls at
 * 1 msat each (`cheap data <i>`, `/v1/d<i>`) whose paywall asks 15,000; with `real`, the same key
 * also lists `/v1/real` honestly at 11,000, what its paywall asks there; without `honest`, no
 * honest seller.
 */
async function decoyMarket(decoys: number, { real = false, honest = true } = {}) {
  const m = makeMarket();
  if (honest) m.addSeller({ name: 'honest', priceMsat: 12_000 });
  const node = m.addNode('cheat');
  const minter = createMinter({
    rootKeys: new MemoryRootKeyStore(),
    randomBytes: (n) => m.rng.fork('cheat').bytes(n),
  });
  const paywall = (service: string, price: number) =>
    l402Paywall({ node, minter, clock: m.clock, service, price }) as MiddlewareHandler;
  const app = new Hono();
  app.get('/v1/real', paywall('real', 11_000), (c) => c.json({ ok: true }));
  app.get('/v1/*', paywall('cheat', 15_000), (c) => c.json({ ok: true }));
  m.mount('cheat.test', app);
  const registry = await m.registry();
  const signer = await nodeSigner(node);
  const list = async (name: string, path: string, priceMsat: number) => {
    const listing = {
      name,
      url: `http://cheat.test${path}`,
      category: 'data',
      capabilities: ['data'],
      tiers: [{ tier: 0, name: 'single', kind: 'single' as const, priceMsat }],
      nodePubkey: node.pubkey,
    };
    const r = await registry.register(await signListing(listing, signer, m.clock.now()));
    if (!r.ok) throw new Error(r.message);
  };
  for (let i = 0; i < decoys; i++) await list(`cheap data ${i}`, `/v1/d${i}`, 1);
  if (real) await list('real data', '/v1/real', 11_000);
  const agent = createBuyerAgent({
    registry,
    name: 'b',
    clock: m.clock,
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
  });
  const run = (id: string) =>
    drive(m.clock, agent.runTask({ id, capability: 'data', valueMsat: 100_000, calls: 1 }));
  return { m, registry, run };
}

/** A task's purchases as `seller:outcome:rejection`. */
const bought = (r: Awaited<ReturnType<Awaited<ReturnType<typeof decoyMarket>>['run']>>) =>
  r.purchases.map((p) => `${p.seller}:${p.outcome}:${p.rejection ?? ''}`);

const REFUSED = (i: number) => `cheap data ${i}:invoice_rejected:over_quoted_price`;

describe('listings priced below what their paywall asks', () => {
  it('are not alive once probed (over_advertised, quoted 15,000), so the default search of each of three tasks finds and buys the honest 12,000 seller alone', async () => {
    const { m, registry, run } = await decoyMarket(10);
    const prober = new HealthProber({
      registry,
      fetch: (r) => m.fetch(r),
      clock: m.clock,
      addressPolicy: 'lab',
    });
    await drive(m.clock, prober.probeAll());
    const decoys = registry.all().filter((l) => l.name.startsWith('cheap data'));
    expect(decoys.map((l) => l.health)).toEqual(
      decoys.map(() => ({
        alive: false,
        latencyMs: 0,
        quotedPriceMsat: 15_000,
        error: 'over_advertised',
        checkedAt: m.clock.now(),
        failures: 1,
      })),
    );
    expect(decoys).toHaveLength(10);
    const found = await registry.search({
      capability: 'data',
      tier: 'default',
      alive: true,
      sort: 'price',
      limit: 10,
    });
    expect(found.map((l) => l.name)).toEqual(['honest']);
    const tasks = [];
    for (const id of ['t0', 't1', 't2']) {
      const r = await run(id);
      tasks.push([r.stopReason, r.spentMsat, bought(r)]);
    }
    // The first pays 12,000; the token it bought (no call limit) serves the next two.
    expect(tasks).toEqual([
      ['done', 12_000, ['honest:success:']],
      ['done', 0, ['honest:success:']],
      ['done', 0, ['honest:success:']],
    ]);
  });

  it('unprobed, fill the 10-listing page: the buyer refuses those 10, searches once more without the refused key’s 12 listings, and buys the honest seller', async () => {
    const { run } = await decoyMarket(12);
    const r = await run('t0');
    expect(r.stopReason).toBe('done');
    expect(r.spentMsat).toBe(12_000);
    expect(bought(r)).toEqual([...[3, 0, 1, 4, 5, 2, 11, 7, 10, 8].map(REFUSED), 'honest:success:']);
    expect(r.steps.map((s) => s.node)).toEqual([
      'discover',
      'quote',
      'discover',
      'quote',
      'decide',
      'authorize',
      'pay',
      'consume',
      'evaluate',
    ]);
  });

  it('with no honest seller beyond them, the one search more finds nothing new and the task stops no_acceptable_offer', async () => {
    const { run } = await decoyMarket(10, { honest: false });
    const r = await run('t0');
    expect([r.stopReason, r.spentMsat, r.purchases.length]).toEqual(['no_acceptable_offer', 0, 10]);
    expect(r.steps.map((s) => s.node)).toEqual(['discover', 'quote', 'discover']);
  });

  it('cost their key its honestly priced listing for the task: refused for one decoy, the 11,000 listing of the same key is dropped and the honest 12,000 seller bought', async () => {
    const { run } = await decoyMarket(1, { real: true });
    const r = await run('t0');
    expect([r.stopReason, r.spentMsat, bought(r)]).toEqual(['done', 12_000, [REFUSED(0), 'honest:success:']]);
  });
});
