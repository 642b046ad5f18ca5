import type { Listing, ListingQuery } from './types.js';

/** Results per search when the query sets no limit. */
export const DEFAULT_SEARCH_LIMIT = 20;

/**
 * The price a buyer must pay to get in at all: the cheapest tier's advertised
 * price. `maxPriceMsat` filters and `sort=price` orders by it. (The quoted
 * price from health probes is shown separately: an advertised price that the
 * 402 challenge does not honour is the buyer's check to make.)
 */
export function entryPriceMsat(listing: Listing): number {
  let min = Number.POSITIVE_INFINITY;
  for (const t of listing.tiers) if (t.priceMsat < min) min = t.priceMsat;
  return min;
}

/** True when `listing` passes every filter of `q` (limit and sort aside). */
export function matchesQuery(listing: Listing, q: ListingQuery): boolean {
  if (q.capability !== undefined && !listing.capabilities.includes(q.capability)) return false;
  if (q.category !== undefined && listing.category !== q.category) return false;
  if (q.maxPriceMsat !== undefined && entryPriceMsat(listing) > q.maxPriceMsat) return false;
  // Not yet probed counts as alive: a new listing should be findable before the first probe.
  if (q.alive !== undefined && (listing.health?.alive ?? true) !== q.alive) return false;
  return true;
}

type Comparator = (a: Listing, b: Listing) => number;

const byId: Comparator = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Unknowns (no rating, no latency yet) sort after every known value. */
function ascending(key: (l: Listing) => number | undefined): Comparator {
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    return x - y;
  };
}

const comparators: Record<NonNullable<ListingQuery['sort']>, Comparator> = {
  price: ascending(entryPriceMsat),
  // Best first; more ratings wins a tie in average.
  rating: (a, b) =>
    ascending((l) => (l.rating ? -l.rating.average : undefined))(a, b) ||
    (b.rating?.count ?? 0) - (a.rating?.count ?? 0),
  latency: ascending((l) => (l.health?.alive ? l.health.latencyMs : undefined)),
};

/**
 * Filters, sorts and limits. Without `sort` the order is newest first, then
 * by id, so a result never depends on Map iteration order.
 */
export function searchListings(listings: Iterable<Listing>, q: ListingQuery): Listing[] {
  const hits: Listing[] = [];
  for (const l of listings) if (matchesQuery(l, q)) hits.push(l);
  const primary: Comparator = q.sort ? comparators[q.sort] : (a, b) => b.createdAt - a.createdAt;
  hits.sort((a, b) => primary(a, b) || byId(a, b));
  return hits.slice(0, q.limit ?? DEFAULT_SEARCH_LIMIT);
}
