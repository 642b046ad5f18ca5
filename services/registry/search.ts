import { LabError } from '../../infra/errors.js';
import type { Rng } from '../../infra/random.js';
import { ratingRank } from './rating-rank.js';
import { searchPriceMsat } from './search-price.js';
import type { Listing, ListingQuery, SearchTier } from './types.js';

export { entryPriceMsat, searchPriceMsat, tierSold } from './search-price.js';

/** Results per search when the query sets no limit. */
export const DEFAULT_SEARCH_LIMIT = 20;

/** True when `listing` passes every filter of `q` (limit and sort aside). */
export function matchesQuery(listing: Listing, q: ListingQuery): boolean {
  if (q.capability !== undefined && !listing.capabilities.includes(q.capability)) return false;
  if (q.category !== undefined && listing.category !== q.category) return false;
  if (q.maxPriceMsat !== undefined && searchPriceMsat(listing, q.tier) > q.maxPriceMsat) return false;
  if (q.sells !== undefined && !listing.tiers.some((t) => t.kind === q.sells)) return false;
  // Not yet probed counts as alive: a new listing should be findable before the first probe.
  if (q.alive !== undefined && (listing.health?.alive ?? true) !== q.alive) return false;
  return true;
}

/** Where a search reads its listings. */
export interface ListingSource {
  /**
   * Every listing offering `capability` (every listing when undefined), by the price a search asking
   * for `tier` reads (`searchPriceMsat`; absent: the entry price), then id.
   */
  offering(capability: string | undefined, tier?: SearchTier): Iterable<Listing>;
}

type Comparator = (a: Listing, b: Listing) => number;

const byId: Comparator = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Unknowns (no latency yet) sort after every known value. */
function ascending(key: (l: Listing) => number | undefined): Comparator {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    return x - y;
  };
}

const comparators: Record<Exclude<ListingQuery['sort'], 'price' | 'random' | undefined>, Comparator> = {
  // Best rank score first (the average shrunk toward 3 by its weight; unrated: 3, see rating-rank.ts);
  // more ratings wins a tie.
  rating: (a, b) =>
    ratingRank(b.rating) - ratingRank(a.rating) || (b.rating?.count ?? 0) - (a.rating?.count ?? 0),
  latency: ascending((l) => (l.health?.alive ? l.health.latencyMs : undefined)),
};

/** The order `sort` (not random) puts listings in; by price, the price a search asking for `tier` reads. */
function comparatorOf(
  sort: Exclude<ListingQuery['sort'], 'random' | undefined>,
  tier: SearchTier | undefined,
) {
  return sort === 'price' ? ascending((l) => searchPriceMsat(l, tier)) : comparators[sort];
}

/**
 * Filters, sorts and limits. Without `sort` the order is newest first, then
 * by id, so a result never depends on Map iteration order. `sort: random`
 * and `ties: random` draw one key per hit from `rng`, in id order, so a
 * seeded source gives the same order for the same listings and draws.
 */
export function searchListings(source: ListingSource, q: ListingQuery, rng?: Rng): Listing[] {
  const limit = q.limit ?? DEFAULT_SEARCH_LIMIT;
  const shuffled = q.sort === 'random' || q.ties === 'random';
  if (q.sort === 'price' && !shuffled)
    return firstInPriceOrder(source.offering(q.capability, q.tier), q, limit);
  // Every hit is sorted below: any order of the listings will do (no tier's order is built for it).
  const listings = source.offering(q.capability);
  const hits: Listing[] = [];
  for (const l of listings) if (matchesQuery(l, q)) hits.push(l);
  const newest: Comparator = (a, b) => b.createdAt - a.createdAt;
  if (!shuffled) {
    // Ties broken by id (unique): a total order, so the first `limit` do not depend on the input's order.
    const primary = q.sort && q.sort !== 'random' ? comparatorOf(q.sort, q.tier) : newest;
    return firstInOrder(hits, (a, b) => primary(a, b) || byId(a, b), limit);
  }
  if (!rng)
    throw new LabError('invalid_query', 'a random sort or tie-break needs the registry random source');
  hits.sort(byId);
  const key = new Map<Listing, number>(hits.map((l) => [l, rng.next()]));
  const byKey: Comparator = (a, b) => key.get(a)! - key.get(b)!;
  const primary: Comparator = q.sort === 'random' ? byKey : q.sort ? comparatorOf(q.sort, q.tier) : newest;
  const tie: Comparator = q.ties === 'random' ? byKey : byId;
  return firstInOrder(hits, (a, b) => primary(a, b) || tie(a, b), limit);
}

/**
 * `sort=price`, ties by id: the source gives the listings in that order (by
 * the query's tier's price), so the first `limit` hits are the answer (what
 * sorting every hit and slicing gives).
 */
function firstInPriceOrder(inPriceOrder: Iterable<Listing>, q: ListingQuery, limit: number): Listing[] {
  const hits: Listing[] = [];
  for (const l of inPriceOrder) {
    // Prices only rise from here: no later listing is under `maxPriceMsat` either.
    if (q.maxPriceMsat !== undefined && searchPriceMsat(l, q.tier) > q.maxPriceMsat) break;
    if (matchesQuery(l, q) && hits.push(l) === limit) break;
  }
  return hits.length === limit ? hits : hits.slice(0, limit);
}

/** Limits up to which the first ones are picked in one pass rather than by sorting every hit. */
const PICK_MAX = 64;

/** The first `limit` items under `order`: what sorting them all (a stable sort: equals keep their input order) and slicing gives. */
function firstInOrder(items: Listing[], order: Comparator, limit: number): Listing[] {
  if (!Number.isInteger(limit) || limit < 1 || limit > PICK_MAX || limit >= items.length)
    return items.sort(order).slice(0, limit);
  const best: Listing[] = [];
  for (const l of items) {
    if (best.length === limit && order(l, best[limit - 1]!) >= 0) continue;
    let i = best.length === limit ? limit - 1 : best.length;
    while (i > 0 && order(l, best[i - 1]!) < 0) i--;
    best.splice(i, 0, l);
    if (best.length > limit) best.pop();
  }
  return best;
}
