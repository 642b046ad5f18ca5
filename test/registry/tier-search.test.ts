/**
 * A search may name the tier it ranks and filters by (`tier=single|bundle|pass|default`):
 * `maxPriceMsat` and `sort=price` then read the price of the tier a buyer
 * asking for it is sold (a kind: each listing's first tier of that kind, else
 * its first tier; `default`: its first tier), so a decoy tier the buyer will
 * not buy no longer ranks the listing. Through the HTTP route and the typed
 * client, and through the simulator's registry.
 */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../infra/log.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { InMemoryHttp } from '../../sim/market/http.js';
import { openRegistry as openMarketRegistry } from '../../sim/market/registry.js';
import type { World } from '../../sim/market/world.js';
import { ListingTable } from '../../services/registry/listing-table.js';
import { searchListings } from '../../services/registry/search.js';
import type {
  Listing,
  ListingFields,
  ListingQuery,
  ListingTier,
  RegistryClient,
} from '../../services/registry/index.js';
import { nodeKeys, openRegistry } from '../security/registry-helpers.js';

const KEYS = nodeKeys(11, ['decoy', 'honest', 'plain', 'bulk']);
type Seller = keyof typeof KEYS;

/**
 * decoy: a 1-msat single call beside the 50,000 bundle it sells bundle buyers; honest: a 20,000 bundle
 * only; plain: a 2,000 single call only; bulk: a 30,000 bundle first (its default), a 500 single after.
 */
const TIERS: Record<Seller, ListingTier[]> = {
  decoy: [
    { tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 1 },
    { tier: 1, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 50_000 },
  ],
  honest: [{ tier: 0, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 20_000 }],
  plain: [{ tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: 2_000 }],
  bulk: [
    { tier: 0, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 30_000 },
    { tier: 1, name: 'single', kind: 'single', calls: 1, priceMsat: 500 },
  ],
};

const fieldsOf = (seller: Seller): ListingFields => ({
  name: seller,
  url: `http://${seller}.test/v1/data`,
  category: 'data',
  capabilities: ['data:read'],
  tiers: TIERS[seller],
  nodePubkey: KEYS[seller].pubkey,
});

/** Registers `sellers` (default: all four) with `client`. */
async function listAll(client: RegistryClient, sellers = Object.keys(TIERS) as Seller[]): Promise<void> {
  for (const seller of sellers) {
    const r = await client.register(fieldsOf(seller), KEYS[seller].signer);
    if (!r.ok) throw new Error(`${seller}: ${r.message}`);
  }
}

/** The sellers a client's search answers, in order. */
async function names(client: RegistryClient, q: ListingQuery): Promise<string[]> {
  const r = await client.search({ capability: 'data:read', sort: 'price', ...q });
  if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
  return r.listings.map((l) => l.name);
}

describe('a registry search ranks by the tier it names', () => {
  it.each([
    ['none (entry price)', {}, ['decoy', 'bulk', 'plain', 'honest']],
    ['bundle', { tier: 'bundle' }, ['plain', 'honest', 'bulk', 'decoy']],
    ['single', { tier: 'single' }, ['decoy', 'bulk', 'plain', 'honest']],
    ['pass (nobody sells one: each first tier)', { tier: 'pass' }, ['decoy', 'plain', 'honest', 'bulk']],
    ['default', { tier: 'default' }, ['decoy', 'plain', 'honest', 'bulk']],
  ] as const)('tier %s, sort=price over HTTP: %j', async (_what, q, expected) => {
    const { client } = await openRegistry();
    await listAll(client);
    expect(await names(client, q)).toEqual(expected);
  });

  it('tier=bundle, limit 1: an honest seller of a 20,000 bundle is the one result, not the decoy selling its bundle at 50,000 (without a tier, its 1-msat single call makes the decoy the one)', async () => {
    const { client } = await openRegistry();
    await listAll(client, ['decoy', 'honest']);
    expect([
      await names(client, { tier: 'bundle', limit: 1 }),
      await names(client, { tier: 'bundle' }),
      await names(client, { limit: 1 }),
    ]).toEqual([['honest'], ['honest', 'decoy'], ['decoy']]);
  });

  it.each([
    ['bundle', 20_000, ['plain', 'honest']],
    ['bundle', 1_999, []],
    ['default', 1_999, ['decoy']],
    ['single', 500, ['decoy', 'bulk']],
    [undefined, 20_000, ['decoy', 'bulk', 'plain', 'honest']],
  ] as const)(
    'tier %s, maxPriceMsat %i keeps the listings whose price of that tier is at most it: %j, by price and under any sort',
    async (tier, maxPriceMsat, expected) => {
      const { client } = await openRegistry();
      await listAll(client);
      const q = { maxPriceMsat, ...(tier && { tier }) };
      expect(await names(client, q)).toEqual(expected);
      // The rating order has no price to stop at: every listing is filtered (none is rated: id order).
      const rated = await names(client, { ...q, sort: 'rating' });
      expect(rated.sort()).toEqual([...expected].sort());
    },
  );

  it('answers an unknown tier with 400 invalid_query naming the allowed values, through the client and on the wire', async () => {
    const { client, app } = await openRegistry();
    expect(await client.search({ tier: 'bundles' as ListingQuery['tier'] })).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_query',
      message: 'tier: expected single | bundle | pass | default, got "bundles" (did you mean "bundle"?)',
    });
    const res = await app.fetch(new Request('http://registry.test/listings?tier=cheapest'));
    expect([res.status, await res.json()]).toEqual([
      400,
      { error: 'invalid_query', message: 'tier: expected single | bundle | pass | default, got "cheapest"' },
    ]);
  });
});

describe('a price search naming a tier reads only as far as its limit', () => {
  it('tier=bundle, limit 3, over 1,000 listings: reads 3 of the tier order, the 3 cheapest bundles', () => {
    // Listing i sells a single call at i + 1 msat, then a bundle at 100,000 - 10 i: cheapest bundle last.
    const listings: Listing[] = Array.from({ length: 1_000 }, (_, i) => ({
      ...fieldsOf('decoy'),
      id: `l${String(i).padStart(4, '0')}`,
      tiers: [
        { tier: 0, name: 'single', kind: 'single', calls: 1, priceMsat: i + 1 },
        { tier: 1, name: '10 calls', kind: 'bundle', calls: 10, priceMsat: 100_000 - 10 * i },
      ],
      createdAt: 0,
      updatedAt: 0,
      signedAt: 0,
    }));
    const table = ListingTable.of(listings);
    let read = 0;
    const counted = {
      offering: (capability: string | undefined, tier?: ListingQuery['tier']) => ({
        *[Symbol.iterator]() {
          for (const l of table.offering(capability, tier)) {
            read++;
            yield l;
          }
        },
      }),
    };
    const found = searchListings(counted, {
      capability: 'data:read',
      sort: 'price',
      tier: 'bundle',
      limit: 3,
    });
    expect([found.map((l) => l.id), read]).toEqual([['l0999', 'l0998', 'l0997'], 3]);
  });
});

describe("the simulator's registry", () => {
  it('passes a search tier through to the registry as the typed client does: tier=bundle ranks honest before decoy', async () => {
    const clock = new VirtualClock(0);
    const http = new InMemoryHttp();
    const world = { serve: async (host, handler) => http.serve(host, handler), fetch: http.fetch } as Pick<
      World,
      'serve' | 'fetch'
    >;
    const registry = await openMarketRegistry(world as World, clock, 10, silentLogger, createRng(1));
    await listAll(registry.client);
    const found = await registry.search({ capability: 'data:read', sort: 'price', tier: 'bundle' });
    expect(found.map((l) => l.name)).toEqual(['plain', 'honest', 'bulk', 'decoy']);
  });
});

describe('sells=<kind> keeps only listings that list a tier of that kind', () => {
  it.each([
    ['bundle, tier=bundle', { sells: 'bundle', tier: 'bundle' }, ['honest', 'bulk', 'decoy']],
    ['bundle, tier=bundle, limit 1', { sells: 'bundle', tier: 'bundle', limit: 1 }, ['honest']],
    ['single (entry price)', { sells: 'single' }, ['decoy', 'bulk', 'plain']],
    ['pass (nobody lists one)', { sells: 'pass' }, []],
  ] as const)('sells=%s, sort=price over HTTP: %j', async (_what, q, expected) => {
    const { client } = await openRegistry();
    await listAll(client);
    expect(await names(client, q)).toEqual(expected);
  });

  it('tier=bundle, limit 1 without sells returns plain, which sells no bundle; with sells=bundle, honest', async () => {
    const { client } = await openRegistry();
    await listAll(client);
    expect([
      await names(client, { tier: 'bundle', limit: 1 }),
      await names(client, { tier: 'bundle', sells: 'bundle', limit: 1 }),
    ]).toEqual([['plain'], ['honest']]);
  });

  it('filters under every sort, not only by price', async () => {
    const { client } = await openRegistry();
    await listAll(client);
    for (const sort of ['rating', 'latency'] as const)
      expect((await names(client, { sells: 'bundle', sort })).sort()).toEqual(['bulk', 'decoy', 'honest']);
  });

  it('answers an unknown kind with 400 invalid_query naming the allowed values', async () => {
    const { client } = await openRegistry();
    expect(await client.search({ sells: 'bundles' as ListingQuery['sells'] })).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_query',
      message: 'sells: expected single | bundle | pass, got "bundles" (did you mean "bundle"?)',
    });
  });
});
