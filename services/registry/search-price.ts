import type { Listing, ListingTier, SearchTier, TierKind } from './types.js';

/**
 * The tier a listing sells to a buyer asking for `kind`: its first tier of
 * that kind, else its first tier. A listing's first tier is its default, the
 * one its seller sells to a request that names no tier (`L402-Tier` absent);
 * a buyer asks for the tier this names, so the tier a search ranks it by is
 * the tier it is sold. Undefined only for a listing without tiers.
 */
export function tierSold(listing: Pick<Listing, 'tiers'>, kind?: TierKind): ListingTier | undefined {
  return (kind && listing.tiers.find((t) => t.kind === kind)) || listing.tiers[0];
}

/**
 * The price a buyer must pay to get in at all: the cheapest tier's advertised
 * price. (The quoted price from health probes is shown separately: an
 * advertised price that the 402 challenge does not honour is the buyer's
 * check to make.)
 */
export function entryPriceMsat(listing: Pick<Listing, 'tiers'>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const t of listing.tiers) if (t.priceMsat < min) min = t.priceMsat;
  return min;
}

/**
 * The price `maxPriceMsat` and `sort=price` read for a search asking for
 * `tier`: the advertised price of the tier that search's buyer is sold
 * (`default`: the first tier; a kind: see `tierSold`), or the entry price
 * when the search names no tier. A listing without tiers has none (infinite).
 */
export function searchPriceMsat(listing: Pick<Listing, 'tiers'>, tier: SearchTier | undefined): number {
  if (tier === undefined) return entryPriceMsat(listing);
  return tierSold(listing, tier === 'default' ? undefined : tier)?.priceMsat ?? Number.POSITIVE_INFINITY;
}
