/**
 * A buyer holds a seller to the tier it chose the seller for: the tier the
 * registry search ranked the listing by (its first tier of the buyer's
 * preferred kind, else its first tier). A seller writes both its listing
 * and its paywall: one whose listing puts a 1-msat decoy first while its
 * paywall sells a 50,000-msat tier by default, or that ignores `L402-Tier`,
 * is refused `wrong_tier` before anything is paid, on a live quote and a
 * negotiated one; a manifest quote reads the chosen tier's price, so the
 * live 402 after it is refused above that price. Real paywalls, invoices
 * and payments on the embedded network.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type BuyerAgentOptions } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { ruleBuyer } from '../../agents/negotiation/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import {
  l402Paywall,
  manifestHandler,
  MANIFEST_PATH,
  TIER_HEADER,
  type PaywallEvent,
  type PaywallTier,
} from '../../services/paywall/index.js';
import { Registry } from '../../services/registry/registry.js';
import { nodeSigner, signListing } from '../../services/registry/signing.js';
import type { ListingTier, TierKind } from '../../services/registry/types.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { drive, makeMarket, type Market } from './market.js';

interface SellerSetup {
  /** The listing's tiers in its order: a search naming no kind ranks it by the first. */
  listed: ListingTier[];
  /** The paywall's (and manifest's) tiers in its order, the first sold without `L402-Tier` (default: `listed`). */
  sold?: ListingTier[];
  /** The seller drops `L402-Tier` before its paywall: it sells its default tier whatever is asked. */
  ignoresTier?: boolean;
  /** Bids are answered by a paywall selling only this tier (at its `sold` price), accepting any bid. */
  agreedTier?: number;
}

const single = (tier: number, priceMsat: number): ListingTier => ({
  tier,
  name: 'single',
  kind: 'single',
  calls: 1,
  priceMsat,
});
const bundle = (tier: number, priceMsat: number): ListingTier => ({
  tier,
  name: '10 calls',
  kind: 'bundle',
  calls: 10,
  priceMsat,
});
const paywallTier = (t: ListingTier): PaywallTier => ({
  tier: t.tier,
  name: t.name,
  price: t.priceMsat,
  ...(t.calls !== undefined && { maxCalls: t.calls }),
});
const accepting = { negotiator: { reply: () => ({ kind: 'accept' as const }) } };

/** The paywalls of a seller `name`: what it sells without and with a bid. */
function paywalls(m: Market, name: string, node: SimNode, o: SellerSetup, events: PaywallEvent[]) {
  const rng = m.rng.fork(`keys/${name}`);
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const base = { node, minter, clock: m.clock, service: name, onEvent: (e: PaywallEvent) => events.push(e) };
  const sold = o.sold ?? o.listed;
  const agreed = sold.find((t) => t.tier === o.agreedTier);
  return {
    posted: l402Paywall({ ...base, tiers: sold.map(paywallTier) }) as MiddlewareHandler,
    onBid:
      agreed &&
      (l402Paywall({ ...base, tiers: [paywallTier(agreed)], negotiation: accepting }) as MiddlewareHandler),
  };
}

/** A seller `name` behind the real paywall, listed in `registry` with its `listed` tiers; the 402s it issued. */
async function addSeller(m: Market, registry: Registry, name: string, o: SellerSetup) {
  const node = m.addNode(name);
  const events: PaywallEvent[] = [];
  const { posted, onBid } = paywalls(m, name, node, o, events);
  const tiers = (o.sold ?? o.listed).map(({ priceMsat, ...t }) => ({
    ...t,
    price_msat: priceMsat,
  }));
  const pricing = { model: 'fixed' as const, price_msat: 1 };
  const services = [{ name, description: name, path: '/v1/data', tiers, capabilities: ['data'], pricing }];
  const inner = new Hono();
  inner.get(MANIFEST_PATH, manifestHandler({ providerName: name, services }, node));
  inner.get('/v1/data', (c, next) => (onBid && c.req.header('l402-bid') ? onBid : posted)(c, next));
  inner.get('/v1/data', (c) => c.json({ seller: name }));
  const app = new Hono();
  // Every route is a GET: the request is rebuilt from its URL and headers alone.
  app.get('*', (c) => {
    const headers = new Headers(c.req.raw.headers);
    if (o.ignoresTier) headers.delete(TIER_HEADER);
    return inner.fetch(new Request(c.req.url, { headers }));
  });
  m.mount(`${name}.test`, app);
  const fields = {
    name,
    url: `http://${name}.test/v1/data`,
    category: 'data',
    capabilities: ['data'],
    tiers: o.listed,
    nodePubkey: node.pubkey,
  };
  const r = await registry.register(await signListing(fields, await nodeSigner(node), m.clock.now()));
  if (!r.ok) throw new Error(`registration of ${name} failed: ${r.message}`);
  return () => events.flatMap((e) => (e.type === 'challenge' ? [`tier ${e.tier} at ${e.priceMsat}`] : []));
}

/** A market with `sellers` and a cheapest buyer preferring `prefer`; runs a `calls`-call task worth 100,000 msat. */
async function run(
  sellers: Record<string, SellerSetup>,
  calls: number,
  prefer: TierKind | undefined,
  options: Partial<BuyerAgentOptions> = {},
) {
  const m = makeMarket();
  const registry = await Registry.open({ clock: m.clock, network: 'regtest' });
  const challenges: Record<string, () => string[]> = {};
  for (const [name, o] of Object.entries(sellers)) challenges[name] = await addSeller(m, registry, name, o);
  const agent = createBuyerAgent({
    name: 'b',
    registry,
    client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    ...(prefer && { prefer }),
    ...options,
  });
  const before = await m.balance(m.buyer);
  const r = await drive(m.clock, agent.runTask({ id: 't', capability: 'data', valueMsat: 100_000, calls }));
  return {
    r,
    /** Seller, outcome, rejection, amount asked, amount paid, token reused; `-` for none. */
    rows: r.purchases.map((p) => [
      p.seller,
      p.outcome,
      p.rejection ?? '-',
      p.quotedMsat ?? '-',
      p.paidMsat,
      p.tokenReused,
    ]),
    reasons: r.purchases.flatMap((p) => (p.rejection || p.outcome === 'no_quote' ? [p.reason] : [])),
    spentMsat: before - (await m.balance(m.buyer)) - r.feesMsat,
    challenges: Object.fromEntries(Object.entries(challenges).map(([n, c]) => [n, c()])),
  };
}

/** A listing putting a 1-msat single (tier 1) first whose paywall sells its 50,000 bundle (tier 0) by default. */
const DECOY: SellerSetup = {
  listed: [single(1, 1), bundle(0, 50_000)],
  sold: [bundle(0, 50_000), single(1, 1)],
};
const HONEST: SellerSetup = { listed: [single(0, 20_000)] };
const DECOY_REFUSED =
  'the seller sold tier 0 (bundle, 50000 msat) but was chosen for tier 1 (single, 1 msat)';

describe('a buyer without prefer holds a seller to its first listed tier, the one the search ranked it by', () => {
  it('1 result per search: the decoy ranked at its 1-msat single whose 402 sells its 50,000 bundle (tier 0, listed at that price) is refused wrong_tier, 0 msat paid to it, and a search again past it buys the honest 20,000 single', async () => {
    const b = await run({ decoy: DECOY, honest: HONEST }, 1, undefined, { searchLimit: 1 });

    expect(b.rows).toEqual([
      ['decoy', 'invoice_rejected', 'wrong_tier', 50_000, 0, false],
      ['honest', 'success', '-', '-', 20_000, false],
    ]);
    expect(b.reasons).toEqual([DECOY_REFUSED]);
    expect([b.r.stopReason, b.spentMsat, b.challenges]).toEqual([
      'done',
      20_000,
      { decoy: ['tier 0 at 50000'], honest: ['tier 0 at 20000'] },
    ]);
    expect(b.r.steps.map((x) => x.node).slice(0, 4)).toEqual(['discover', 'quote', 'discover', 'quote']);
  });

  it('2 results per search: the decoy is refused wrong_tier and the honest 20,000 single is bought', async () => {
    const b = await run({ decoy: DECOY, honest: HONEST }, 1, undefined, { searchLimit: 2 });

    expect(b.rows).toEqual([
      ['decoy', 'invoice_rejected', 'wrong_tier', 50_000, 0, false],
      ['honest', 'success', '-', '-', 20_000, false],
    ]);
    expect(b.reasons).toEqual([DECOY_REFUSED]);
    expect([b.r.stopReason, b.spentMsat]).toEqual(['done', 20_000]);
  });

  it.each([
    [undefined, 'no header'],
    ['single' as const, 'L402-Tier 1, ignored'],
  ])(
    'prefer %s (%s): a listing with two single tiers, a 1-msat one (tier 1) first and the 50,000 one its paywall sells (tier 0), is refused wrong_tier, 0 msat paid',
    async (prefer, _header) => {
      const fake: SellerSetup = {
        listed: [single(1, 1), single(0, 50_000)],
        sold: [single(0, 50_000)],
        ignoresTier: true,
      };
      const b = await run({ fake }, 1, prefer);

      expect(b.rows).toEqual([['fake', 'invoice_rejected', 'wrong_tier', 50_000, 0, false]]);
      expect(b.reasons).toEqual([
        'the seller sold tier 0 (single, 50000 msat) but was chosen for tier 1 (single, 1 msat)',
      ]);
      expect(b.spentMsat).toBe(0);
    },
  );
});

describe('a buyer preferring a kind holds a seller to its first tier of that kind', () => {
  it('prefer bundle: a seller listing a 16,000 bundle (tier 1) that ignores L402-Tier and sells its 2,000 single is refused wrong_tier, and the 10-call task buys the 25,000 bundle of the next seller', async () => {
    const ignoring: SellerSetup = { listed: [single(0, 2_000), bundle(1, 16_000)], ignoresTier: true };
    const b = await run({ ignoring, honest: { listed: [bundle(0, 25_000)] } }, 10, 'bundle');

    expect(b.rows).toEqual([
      ['ignoring', 'invoice_rejected', 'wrong_tier', 2_000, 0, false],
      ['honest', 'success', '-', '-', 25_000, false],
      ...Array(9).fill(['honest', 'success', '-', '-', 0, true]),
    ]);
    expect(b.reasons).toEqual([
      'the seller sold tier 0 (single, 2000 msat) but was chosen for tier 1 (bundle, 16000 msat)',
    ]);
    expect([b.spentMsat, b.challenges]).toEqual([
      25_000,
      { ignoring: ['tier 0 at 2000'], honest: ['tier 0 at 25000'] },
    ]);
  });
});

describe('a manifest quote and a negotiated token are held to the same tier', () => {
  // With 1 result per search, the honest seller is found by a search again past the refused decoy.
  it.each([1, 2] as const)(
    'quotes from manifests, %i result(s) per search: the decoy whose manifest lists its 50,000 bundle first is chosen at its tier 1 manifest price of 1 msat, its live 402 for 50,000 refused over_quoted_price, and the honest 20,000 single bought',
    async (searchLimit) => {
      const rows = [
        ['decoy', 'invoice_rejected', 'over_quoted_price', 50_000, 0, false],
        ['honest', 'success', '-', '-', 20_000, false],
      ];
      const spentMsat = 20_000;
      const b = await run({ decoy: DECOY, honest: HONEST }, 1, undefined, {
        searchLimit,
        quoteFrom: 'manifest',
      });

      expect(b.rows).toEqual(rows);
      expect(b.r.decisions[0]!.reason).toBe('cheapest: decoy at 1 msat');
      expect(b.spentMsat).toBe(spentMsat);
    },
  );

  it('negotiating: an agreed token for the listed 60,000 bundle (tier 1) instead of the 50,000 one negotiated from (tier 0) is refused wrong_tier at 25,000, 0 msat paid', async () => {
    const alpha: SellerSetup = { listed: [bundle(0, 50_000), bundle(1, 60_000)], agreedTier: 1 };
    const b = await run({ alpha }, 10, undefined, { negotiator: ruleBuyer() });

    expect(b.rows).toEqual([['alpha', 'invoice_rejected', 'wrong_tier', 25_000, 0, false]]);
    expect(b.reasons).toEqual([
      'the seller sold tier 1 (bundle, 60000 msat) but was chosen for tier 0 (bundle, 50000 msat)',
    ]);
    expect([b.r.stopReason, b.spentMsat]).toEqual(['no_acceptable_offer', 0]);
  });
});
