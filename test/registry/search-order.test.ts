import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { ListingTable } from '../../services/registry/listing-table.js';
import { searchListings } from '../../services/registry/search.js';
import { querySchema } from '../../services/registry/schema.js';
import type { Listing } from '../../services/registry/types.js';

/** A listing with an id, an entry price, a probed latency and a rating: all search orders read. */
function listing(id: string, priceMsat: number, latencyMs: number, rating: number): Listing {
  return {
    id,
    name: id,
    url: `http://${id}.test/x`,
    category: 'data',
    capabilities: ['data'],
    tiers: [{ tier: 0, name: 'one', kind: 'single', priceMsat }],
    nodePubkey: '02'.padEnd(66, '0'),
    health: { alive: true, latencyMs, checkedAt: 0, failures: 0 },
    rating: { average: rating, count: 1, paidMsat: 1_000 },
    createdAt: 0,
    updatedAt: 0,
    signedAt: 0,
  };
}

// a, b and c share a price; d is cheapest, slowest and worst rated.
const LISTINGS = [
  listing('a', 5_000, 300, 4),
  listing('b', 5_000, 100, 5),
  listing('c', 5_000, 200, 3),
  listing('d', 1_000, 900, 1),
];
const order = (q: Parameters<typeof searchListings>[1], seed?: number) =>
  searchListings(ListingTable.of(LISTINGS), q, seed === undefined ? undefined : createRng(seed)).map(
    (l) => l.id,
  );

describe('registry search order', () => {
  it.each([
    ['price, ties by id (the default)', { sort: 'price' }, ['d', 'a', 'b', 'c']],
    ['latency, fastest probe first', { sort: 'latency' }, ['b', 'c', 'a', 'd']],
    ['rating, best first', { sort: 'rating' }, ['b', 'a', 'c', 'd']],
  ] as const)('sorts by %s', (_what, q, expected) => {
    expect(order(q)).toEqual(expected);
  });

  it('breaks price ties from the seeded source: the cheapest stays first, the tied three are shuffled', () => {
    expect(order({ sort: 'price', ties: 'random' }, 1)).toEqual(['d', 'b', 'a', 'c']);
    expect(order({ sort: 'price', ties: 'random' }, 3)).toEqual(['d', 'a', 'c', 'b']);
  });

  it('sorts at random from the seeded source, the same order for the same seed', () => {
    expect(order({ sort: 'random' }, 1)).toEqual(['b', 'a', 'c', 'd']);
    expect(order({ sort: 'random' }, 1)).toEqual(['b', 'a', 'c', 'd']);
    expect(order({ sort: 'random' }, 3)).toEqual(['a', 'c', 'd', 'b']);
  });

  it('refuses a random order without a random source', () => {
    expect(() => order({ sort: 'random' })).toThrow(
      'a random sort or tie-break needs the registry random source',
    );
  });

  it('accepts sort=random and ties=random in the query string and names the allowed values otherwise', () => {
    expect(querySchema.parse({ sort: 'random', ties: 'random' })).toEqual({ sort: 'random', ties: 'random' });
    const bad = querySchema.safeParse({ sort: 'fastest' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toContain('"price"|"rating"|"latency"|"random"');
  });
});

describe('the first results of a search', () => {
  // 200 listings with few distinct prices, latencies, ratings and creation times: many ties, broken by id.
  const rng = createRng('search-first');
  const many = Array.from({ length: 200 }, (_, i) => {
    const l = listing(`l${(i * 7919) % 200}`, 1_000 * (1 + rng.int(5)), 100 * rng.int(4), 1 + rng.int(5));
    return { ...l, createdAt: rng.int(3), ...(i % 9 === 0 && { rating: undefined }) };
  });
  const table = ListingTable.of(many);
  const everyHitSorted = (sort: 'price' | 'latency' | 'rating' | undefined) =>
    searchListings(table, { ...(sort && { sort }), limit: 1000 }).map((l) => l.id);

  it.each(['price', 'latency', 'rating', undefined] as const)(
    'are, for sort %s and every limit from 1 to 200, the start of the full sorted list',
    (sort) => {
      const full = everyHitSorted(sort);
      expect(full).toHaveLength(200);
      for (let limit = 1; limit <= 200; limit++)
        expect(searchListings(table, { ...(sort && { sort }), limit }).map((l) => l.id)).toEqual(
          full.slice(0, limit),
        );
    },
  );

  it.each([
    ['sort random', { sort: 'random' }],
    ['price, ties random', { sort: 'price', ties: 'random' }],
    ['rating, ties random', { sort: 'rating', ties: 'random' }],
  ] as const)(
    'are, for %s and every limit from 1 to 200, the start of the full list the same draws give',
    (_what, q) => {
      const full = searchListings(table, { ...q, limit: 1000 }, createRng(5)).map((l) => l.id);
      expect(full).toHaveLength(200);
      for (let limit = 1; limit <= 200; limit++)
        expect(searchListings(table, { ...q, limit }, createRng(5)).map((l) => l.id)).toEqual(
          full.slice(0, limit),
        );
    },
  );
});
