import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../infra/random.js';
import { ListingTable } from '../../services/registry/listing-table.js';
import { searchListings } from '../../services/registry/search.js';
import type { Listing, ListingQuery } from '../../services/registry/types.js';

/**
 * The reference: every listing filtered, every hit sorted, then sliced; random
 * keys drawn one per hit in id order. What a search must return, however it
 * gets there.
 */
function reference(listings: Listing[], q: ListingQuery, rng: Rng): Listing[] {
  // The price a search reads: its tier's (the first of that kind, else the first tier), or the cheapest tier's.
  const sold = (l: Listing) =>
    l.tiers.find((t) => t.kind === q.tier) ?? (l.tiers.length ? l.tiers[0] : undefined);
  const entry = (l: Listing) =>
    q.tier === undefined
      ? Math.min(...l.tiers.map((t) => t.priceMsat))
      : (sold(l)?.priceMsat ?? Number.POSITIVE_INFINITY);
  const hits = listings.filter(
    (l) =>
      (q.capability === undefined || l.capabilities.includes(q.capability)) &&
      (q.category === undefined || l.category === q.category) &&
      (q.maxPriceMsat === undefined || entry(l) <= q.maxPriceMsat) &&
      (q.alive === undefined || (l.health?.alive ?? true) === q.alive),
  );
  const cmp = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);
  const shrunk = (l: Listing) =>
    l.rating ? (l.rating.average * l.rating.paidMsat + 300_000) / (l.rating.paidMsat + 100_000) : 3;
  const unknownLast = (x: number | undefined, y: number | undefined) =>
    x === undefined || y === undefined ? (x === y ? 0 : x === undefined ? 1 : -1) : cmp(x, y);
  hits.sort((a, b) => cmp(a.id, b.id));
  const key = new Map<Listing, number>();
  if (q.sort === 'random' || q.ties === 'random') for (const h of hits) key.set(h, rng.next());
  type Order = (a: Listing, b: Listing) => number;
  const byKey: Order = (a, b) => cmp(key.get(a)!, key.get(b)!);
  const primary: Record<string, Order> = {
    none: (a, b) => cmp(b.createdAt, a.createdAt),
    price: (a, b) => cmp(entry(a), entry(b)),
    // The average shrunk toward 3 by 100,000 msat of prior weight (unrated: 3), best first; then more ratings.
    rating: (a, b) => cmp(shrunk(b), shrunk(a)) || cmp(b.rating?.count ?? 0, a.rating?.count ?? 0),
    latency: (a, b) =>
      unknownLast(
        a.health?.alive ? a.health.latencyMs : undefined,
        b.health?.alive ? b.health.latencyMs : undefined,
      ),
    random: byKey,
  };
  const tie: Order = q.ties === 'random' ? byKey : (a, b) => cmp(a.id, b.id);
  hits.sort((a, b) => primary[q.sort ?? 'none']!(a, b) || tie(a, b));
  return hits.slice(0, q.limit ?? 20);
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

/** A listing with few distinct values in every field a search reads: many ties; `kinds`: tiers of mixed kinds. */
function randomListing(rng: Rng, id: string, kinds = false): Listing {
  const tiers = rng.int(20) === 0 ? 0 : 1 + rng.int(3);
  const alive = pick(rng, [undefined, true, true, false]);
  return {
    id,
    name: id,
    url: `http://${id}.test/x`,
    category: pick(rng, ['x', 'y']),
    // Sometimes a capability twice: the table must still hold the listing once under it.
    capabilities: Array.from({ length: rng.int(4) }, () => pick(rng, ['a', 'b', 'c'])),
    tiers: Array.from({ length: tiers }, (_, i) => ({
      tier: i,
      name: `t${i}`,
      kind: kinds ? pick(rng, ['single', 'bundle', 'pass'] as const) : ('single' as const),
      priceMsat: pick(rng, [1_000, 2_000, 3_000, 5_000]),
    })),
    nodePubkey: '02'.padEnd(66, '0'),
    ...(alive !== undefined && {
      health: { alive, checkedAt: 0, failures: 0, ...(rng.int(3) > 0 && { latencyMs: 100 * rng.int(4) }) },
    }),
    ...(rng.int(3) > 0 && { rating: { average: 1 + rng.int(5) / 2, count: 1 + rng.int(3), paidMsat: 1 } }),
    createdAt: rng.int(4),
    updatedAt: 0,
    signedAt: 0,
  };
}

/** A random query; `tiered`: one naming a tier most of the time. */
function randomQuery(rng: Rng, tiered = false): ListingQuery {
  const q: ListingQuery = {};
  const capability = pick(rng, [undefined, 'a', 'b', 'c', 'zz']);
  const category = pick(rng, [undefined, undefined, 'x', 'y']);
  const maxPriceMsat = pick(rng, [undefined, undefined, 0, 1_000, 2_500, 5_000]);
  const alive = pick(rng, [undefined, true, true, false]);
  const sort = pick(rng, [undefined, 'price', 'price', 'price', 'rating', 'latency', 'random'] as const);
  const ties = pick(rng, [undefined, 'id', 'random'] as const);
  const limit = pick(rng, [undefined, 1, 2, 3, 3, 5, 10, 1000, 0, 2.5, -1]);
  if (capability !== undefined) q.capability = capability;
  if (category !== undefined) q.category = category;
  if (maxPriceMsat !== undefined) q.maxPriceMsat = maxPriceMsat;
  if (alive !== undefined) q.alive = alive;
  if (sort !== undefined) q.sort = sort;
  if (ties !== undefined) q.ties = ties;
  if (limit !== undefined) q.limit = limit;
  const tier = tiered ? pick(rng, [undefined, 'default', 'single', 'bundle', 'pass'] as const) : undefined;
  if (tier !== undefined) q.tier = tier;
  return q;
}

describe('search over the listing table', () => {
  /**
   * Runs 3,000 random changes, 4 random queries after each; answers [queries, listings found, queries
   * naming a tier whose answer differs from the entry price's].
   */
  function compareThrough(seed: string, tiered: boolean): [number, number, number] {
    const rng = createRng(seed);
    const table = new ListingTable();
    const plain = new Map<string, Listing>();
    let queries = 0;
    let found = 0;
    let differ = 0;
    for (let step = 0; step < 3_000; step++) {
      const op = rng.int(100);
      const id = `l${rng.int(60)}`;
      if (op < 70) {
        const l = randomListing(rng, id, tiered);
        table.set(id, l);
        plain.set(id, l);
      } else if (op < 99) {
        expect(table.delete(id)).toBe(plain.delete(id));
      } else {
        table.clear();
        plain.clear();
      }
      expect([...table.entries()]).toEqual([...plain.entries()]);
      for (let n = 0; n < 4; n++, queries++) {
        const q = randomQuery(rng, tiered);
        const [fast, slow] = [createRng(`q${queries}`), createRng(`q${queries}`)];
        const got = searchListings(table, q, fast);
        const want = reference([...plain.values()], q, slow);
        expect({ q, ids: got.map((l) => l.id) }).toEqual({ q, ids: want.map((l) => l.id) });
        expect(got.every((l, i) => l === want[i])).toBe(true);
        // Both drew the same number of keys: the next draw is the same.
        expect(fast.next()).toBe(slow.next());
        found += got.length;
        if (q.tier === undefined) continue;
        const byEntry = reference([...plain.values()], { ...q, tier: undefined }, createRng(`q${queries}`));
        if (byEntry.map((l) => l.id).join() !== got.map((l) => l.id).join()) differ++;
      }
    }
    return [queries, found, differ];
  }

  it('returns exactly what filtering and sorting every listing returns, with the same random draws, through 3,000 random changes', () => {
    // The random tables and queries are not degenerate: many searches find many listings.
    expect(compareThrough('search-index', false)).toEqual([12_000, 23_607, 0]);
  });

  it('ranks and filters by the price of the tier a query names (first of its kind, else the first tier) exactly as filtering and sorting every listing does, through 3,000 random changes of listings selling single calls, bundles and passes', () => {
    // About 1 in 5 of the queries naming a tier (4 in 5 do) answers otherwise than the entry price would.
    expect(compareThrough('search-index-tiers', true)).toEqual([12_000, 21_716, 2_014]);
  });
});
