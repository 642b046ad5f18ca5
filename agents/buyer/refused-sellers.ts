/**
 * Sellers that do not sell what they list. A seller whose live 402 (or
 * agreed token) asks more than its listing advertises (`over_quoted_price`),
 * or sells a tier its listing does not name or the buyer did not choose it
 * for (`unlisted_tier`, `wrong_tier`), ranked in the search by a price it
 * does not sell at. Once one of its listings is refused so, the task leaves
 * out every listing of that seller (its node key): a key that lied in one
 * listing takes no more of the task's places or requests with the others.
 * When the refusals leave the task with no offer, it searches again past
 * what it left out (see `searchAgain`), so listings that lie about their
 * prices cannot hide honest sellers beyond the search's page.
 */
import { LISTINGS_PER_KEY } from '../../services/registry/registry-deps.js';
import type { Listing } from '../../services/registry/types.js';
import type { BuyerStateT } from './state.js';
import type { BuyerPurchase } from './types.js';

/** Refusals saying the seller sells above or outside its own listing. */
const MISADVERTISED: ReadonlySet<string> = new Set(['over_quoted_price', 'unlisted_tier', 'wrong_tier']);

/** Searches one task makes at most: the first, then one after each round that refused a new seller. */
export const MAX_SEARCHES = 3;

/** Most listings one search asks for (what a registry answers at most). */
const MAX_SEARCH_LIMIT = 1_000;

/** The run's registry searches: how many, whether the last filled its page, and the sellers refused by then. */
export interface Searched {
  count: number;
  full: boolean;
  refused: number;
}

/** Whether a purchase record says its seller sells above or outside its listing. */
export function misadvertised(p: Pick<BuyerPurchase, 'rejection'>): boolean {
  return p.rejection !== undefined && MISADVERTISED.has(p.rejection);
}

/**
 * What the refusal of `refused` listings for misadvertising adds to the run: their sellers' node keys
 * not refused before, and the ids of every listing of those sellers the run has found, but for one it
 * holds a usable token for (already paid: using it pays that seller nothing more).
 */
export function leaveOutSellers(
  s: BuyerStateT,
  refused: readonly Listing[],
): { refusedSellers: string[]; excluded: string[] } {
  const nodes = new Set(refused.map((l) => l.nodePubkey).filter((k) => !s.refusedSellers.includes(k)));
  const known = new Map<string, Listing>(s.listings.map((l) => [l.id, l]));
  for (const q of Object.values(s.offers)) known.set(q.listing.id, q.listing);
  const excluded = [...known.values()]
    .filter((l) => nodes.has(l.nodePubkey) && s.offers[l.id]?.source !== 'token')
    .map((l) => l.id)
    .filter((id) => !s.excluded.includes(id));
  return { refusedSellers: [...nodes], excluded };
}

/** The listings among `listings` that `purchases` record as refused for misadvertising. */
export function refusedIn(purchases: readonly BuyerPurchase[], listings: readonly Listing[]): Listing[] {
  const ids = new Set(purchases.filter(misadvertised).map((p) => p.listingId));
  return listings.filter((l) => ids.has(l.id));
}

/**
 * Whether a quote round that left no offer is followed by another search: the task searched fewer
 * than `MAX_SEARCHES` times, its last search filled its page (more listings may follow), and a
 * seller was refused for misadvertising since (its listings took places in that page).
 */
export function searchAgain(s: BuyerStateT): boolean {
  const { count, full, refused } = s.searched;
  return (
    s.stop === 'no_acceptable_offer' &&
    count > 0 &&
    count < MAX_SEARCHES &&
    full &&
    s.refusedSellers.length > refused
  );
}

/**
 * The page a search again asks for: the buyer's `searchLimit`, plus every listing the task left out,
 * plus, for each refused seller, the most listings one node key may hold (`LISTINGS_PER_KEY`), so its
 * unseen listings cannot fill the page either; at most 1,000.
 */
export function searchAgainLimit(s: BuyerStateT, searchLimit: number): number {
  const leftOut = new Set(s.excluded).size + LISTINGS_PER_KEY * s.refusedSellers.length;
  return Math.min(MAX_SEARCH_LIMIT, searchLimit + leftOut);
}

/** The listings of a search again the task can still use (not left out, not a refused seller's), at most `limit`. */
export function stillUsable(s: BuyerStateT, listings: readonly Listing[], limit: number): Listing[] {
  return listings
    .filter((l) => !s.excluded.includes(l.id) && !s.refusedSellers.includes(l.nodePubkey))
    .slice(0, limit);
}
