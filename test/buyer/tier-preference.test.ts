/**
 * A buyer's `prefer` (a tier kind): each seller whose listing advertises a
 * tier of that kind is asked for the first such tier (`L402-Tier` on the
 * quote), the others for their default tier; offers for different tiers are
 * compared per task call served; the registry search ranks sellers by the
 * tier the buyer will buy. Real paywalls selling several tiers, on the
 * embedded network.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type BuyerAgentOptions } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import {
  l402Paywall,
  manifestHandler,
  MANIFEST_PATH,
  TIER_HEADER,
  type PaywallEvent,
} from '../../services/paywall/index.js';
import { nodeSigner, signListing } from '../../services/registry/signing.js';
import type { ListingQuery, ListingTier, TierKind } from '../../services/registry/types.js';
import { drive, makeMarket, type Market } from './market.js';

/** A single call at 2,500 msat, a 10-call bundle at 16,000 and a 600 s pass at 20,000, in that order. */
const TIERED: ListingTier[] = [
  { tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 2_500 },
  { tier: 1, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 16_000 },
  { tier: 2, name: '600 s', kind: 'pass', durationSec: 600, priceMsat: 20_000 },
];
/** A single call at 2,000 msat, its only tier. */
const PLAIN: ListingTier[] = [{ tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 2_000 }];

interface Seller {
  /** The `L402-Tier` header of every request without credentials (a quote), `-` when absent. */
  quotes: string[];
  events: PaywallEvent[];
}

/** A seller behind the real paywall selling `tiers` (and its manifest), listed in the registry with them. */
async function addSeller(m: Market, name: string, tiers: ListingTier[]): Promise<Seller> {
  const node = m.addNode(name);
  const rng = m.rng.fork(`keys/${name}`);
  const seller: Seller = { quotes: [], events: [] };
  const paywall = l402Paywall({
    node,
    minter: createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) }),
    clock: m.clock,
    service: name,
    tiers: tiers.map((t) => ({
      tier: t.tier,
      name: t.name,
      price: t.priceMsat,
      ...(t.kind !== 'pass' && { maxCalls: t.calls }),
      ...(t.durationSec !== undefined && { tokenLifetimeSec: t.durationSec }),
    })),
    onEvent: (e) => seller.events.push(e),
  });
  const quotes: MiddlewareHandler = async (c, next) => {
    if (!c.req.header('authorization')) seller.quotes.push(c.req.header(TIER_HEADER) ?? '-');
    await next();
  };
  const manifestTiers = tiers.map(({ durationSec, priceMsat, ...t }) => ({
    ...t,
    ...(durationSec !== undefined && { duration_sec: durationSec }),
    price_msat: priceMsat,
  }));
  const services = [
    {
      name,
      description: name,
      path: '/v1/data',
      tiers: manifestTiers,
      capabilities: ['data'],
      pricing: { model: 'fixed' as const, price_msat: Math.min(...tiers.map((t) => t.priceMsat)) },
    },
  ];
  const app = new Hono();
  app.get(MANIFEST_PATH, manifestHandler({ providerName: name, services }, node));
  app.get('/v1/data', quotes, paywall as MiddlewareHandler, (c) => c.json({ seller: name }));
  m.mount(`${name}.test`, app);
  const fields = {
    name,
    url: `http://${name}.test/v1/data`,
    category: 'data',
    capabilities: ['data'],
    tiers,
    nodePubkey: node.pubkey,
  };
  const registry = await registryOf(m);
  const r = await registry.register(await signListing(fields, await nodeSigner(node), m.clock.now()));
  if (!r.ok) throw new Error(`registration of ${name} failed: ${r.message}`);
  return seller;
}

const registries = new WeakMap<Market, ReturnType<Market['registry']>>();
/** The market's one registry (the sellers added here register in it). */
function registryOf(m: Market) {
  if (!registries.has(m)) registries.set(m, m.registry());
  return registries.get(m)!;
}

/** A market with a `tiered` and a `plain` seller, and a cheapest buyer preferring `prefer`. */
async function setup(prefer: TierKind | undefined, options: Partial<BuyerAgentOptions> = {}) {
  const m = makeMarket();
  const tiered = await addSeller(m, 'tiered', TIERED);
  const plain = await addSeller(m, 'plain', PLAIN);
  const agent = createBuyerAgent({
    name: 'b',
    registry: await registryOf(m),
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    ...(prefer && { prefer }),
    ...options,
  });
  return { m, tiered, plain, agent };
}

/** The tier and price of each 402 a seller issued. */
const challenges = (s: Seller) =>
  s.events.flatMap((e) => (e.type === 'challenge' ? [`tier ${e.tier} at ${e.priceMsat}`] : []));

/** Who sold each call of a task, for how much, and whether its token was reused. */
const sales = (r: Awaited<ReturnType<Awaited<ReturnType<typeof setup>>['agent']['runTask']>>) =>
  r.purchases.map((p) => `${p.seller} ${p.outcome} ${p.paidMsat}${p.tokenReused ? ' reused' : ''}`);

const task = (calls: number) => ({ id: `t${calls}`, capability: 'data', valueMsat: 100_000, calls });

describe('a buyer preferring a tier kind asks for it with L402-Tier', () => {
  it.each([
    ['single', '0', '0', 'tier 0 at 2500'],
    ['bundle', '1', '-', 'tier 1 at 16000'],
    ['pass', '2', '-', 'tier 2 at 20000'],
  ] as const)(
    'prefer %s: the tiered seller is quoted with L402-Tier %s, the single-only one with %s (- is none); tiered quotes %s; without prefer neither quote has the header and tiered quotes tier 0 at 2500; a 1-call task buys plain at 2,000 either way',
    async (prefer, tieredHeader, plainHeader, tieredQuote) => {
      for (const [preference, headers, quote] of [
        [undefined, ['-', '-'], 'tier 0 at 2500'],
        [prefer, [tieredHeader, plainHeader], tieredQuote],
      ] as const) {
        const { m, tiered, plain, agent } = await setup(preference);

        const r = await drive(m.clock, agent.runTask(task(1)));

        expect([...tiered.quotes, ...plain.quotes]).toEqual(headers);
        expect([challenges(tiered), challenges(plain)]).toEqual([[quote], ['tier 0 at 2000']]);
        expect(sales(r)).toEqual(['plain success 2000']);
      }
    },
  );
});

describe('offers for different tiers are compared per task call served', () => {
  it.each(['challenge', 'manifest'] as const)(
    'quotes from %s, prefer bundle: a 10-call task buys the 16,000 bundle (1,600 per call) over 2,000 single calls and reuses it for all 10 calls; a 2-call task buys two single calls (the bundle would cost 8,000 per call)',
    async (quoteFrom) => {
      const ten = await setup('bundle', { quoteFrom });
      const before = await ten.m.balance(ten.m.buyer);

      const r = await drive(ten.m.clock, ten.agent.runTask(task(10)));

      expect(sales(r)).toEqual(['tiered success 16000', ...Array(9).fill('tiered success 0 reused')]);
      expect(ten.tiered.quotes).toEqual(['1']);
      expect(challenges(ten.tiered)).toEqual(['tier 1 at 16000']);
      expect(before - (await ten.m.balance(ten.m.buyer))).toBe(16_000 + r.feesMsat);

      const two = await setup('bundle', { quoteFrom });
      const r2 = await drive(two.m.clock, two.agent.runTask(task(2)));
      expect(sales(r2)).toEqual(['plain success 2000', 'plain success 2000']);
      expect(r2.decisions.map((d) => d.reason)).toEqual([
        'cheapest: plain at 2000 msat',
        'cheapest: plain at 2000 msat',
      ]);
    },
  );
});

describe('a buyer agent refuses a tier kind no seller sells', () => {
  it("prefer: 'bundles' throws LabError invalid_prefer naming the kinds", () => {
    const m = makeMarket();
    const build = () =>
      createBuyerAgent({
        name: 'b',
        registry: { search: () => [] },
        client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
        decider: createDecider('cheapest', { clock: m.clock }),
        clock: m.clock,
        prefer: 'bundles' as TierKind,
      });
    expect(build).toThrow(
      expect.objectContaining({
        code: 'invalid_prefer',
        message: 'prefer must be single, bundle or pass, got "bundles"',
      }),
    );
  });
});

/** A cheapest buyer in `m`, preferring `prefer`, searching its registry. */
async function buyerIn(m: Market, prefer: TierKind | undefined, options: Partial<BuyerAgentOptions> = {}) {
  return createBuyerAgent({
    name: 'b',
    registry: await registryOf(m),
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    ...(prefer && { prefer }),
    ...options,
  });
}

describe('a buyer finds sellers ranked by the tier it will buy', () => {
  it('prefer bundle, 1 result per search: a decoy listing a 1-msat single call beside a 50,000 bundle ranks after an honest 20,000 bundle, and the 10-call task buys the honest bundle for 20,000 (the decoy was found first and sold its bundle for 50,000)', async () => {
    const m = makeMarket();
    const decoy = await addSeller(m, 'decoy', [
      { tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 1 },
      { tier: 1, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 50_000 },
    ]);
    const honest = await addSeller(m, 'honest', [
      { tier: 0, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 20_000 },
    ]);
    const agent = await buyerIn(m, 'bundle', { searchLimit: 1 });

    const r = await drive(m.clock, agent.runTask(task(10)));

    expect(sales(r)).toEqual(['honest success 20000', ...Array(9).fill('honest success 0 reused')]);
    expect([decoy.quotes, challenges(honest)]).toEqual([[], ['tier 0 at 20000']]);
  });

  it('without prefer, 1 result per search: a decoy selling its 50,000 bundle by default (its first tier) beside a 1-msat single call ranks after an honest 20,000 single call, which the 1-call task buys (the decoy was found first and sold its bundle for 50,000)', async () => {
    const m = makeMarket();
    const decoy = await addSeller(m, 'decoy', [
      { tier: 0, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 50_000 },
      { tier: 1, name: 'single', kind: 'single', calls: 1, priceMsat: 1 },
    ]);
    const honest = await addSeller(m, 'honest', [
      { tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 20_000 },
    ]);
    const agent = await buyerIn(m, undefined, { searchLimit: 1 });

    const r = await drive(m.clock, agent.runTask(task(1)));

    expect(sales(r)).toEqual(['honest success 20000']);
    expect([decoy.quotes, challenges(honest)]).toEqual([[], ['tier 0 at 20000']]);
  });

  it.each([
    ['bundle', 'bundle'],
    [undefined, 'default'],
  ] as const)(
    'prefer %s: the registry search asks for tier %s, at most the task value, alive, by price, 10 results',
    async (prefer, tier) => {
      const m = makeMarket();
      const queries: ListingQuery[] = [];
      const agent = await buyerIn(m, prefer, {
        registry: {
          search: (q) => {
            queries.push(q);
            return [];
          },
        },
      });

      const r = await drive(m.clock, agent.runTask(task(1)));

      expect([r.stopReason, queries]).toEqual([
        'no_sellers',
        [{ capability: 'data', maxPriceMsat: 100_000, tier, alive: true, sort: 'price', limit: 10 }],
      ]);
    },
  );
});
