/**
 * The tier a buyer chose a seller for, and holding the seller to it. The
 * registry ranked and filtered each listing by the price of one tier
 * (`tierSold`: the first of the buyer's preferred kind, else the listing's
 * first); the seller, which wrote both its listing and its paywall, could
 * sell another one: a listing whose first tier is a 1-msat single and whose
 * paywall sells its 50,000-msat bundle by default. So a token for any tier
 * other than the chosen one is refused (`wrong_tier`) before anything is
 * paid, even when the listing advertises that tier at the price asked.
 */
import { TIER_HEADER } from '../../services/paywall/index.js';
import { tierSold } from '../../services/registry/search-price.js';
import type { Listing, ListingTier, TierKind } from '../../services/registry/types.js';
import type { AdvertisedPrice } from '../l402/index.js';
import type { Task } from './types.js';

/**
 * The tier a buyer preferring `kind` (or none) buys from a listing: the
 * tier the task's own `L402-Tier` header names, else the one the registry
 * search ranked it by (`tierSold`). Undefined for a listing without tiers,
 * or without the tier the task names.
 */
export function chosenTier(
  listing: Listing,
  kind: TierKind | undefined,
  task?: Pick<Task, 'headers'>,
): ListingTier | undefined {
  const asked = new Headers(task?.headers).get(TIER_HEADER);
  return asked === null
    ? tierSold(listing, kind)
    : listing.tiers.find((t) => String(t.tier) === asked.trim());
}

/**
 * The tier a buyer preferring `kind` asks a listing for with `L402-Tier`:
 * the chosen tier when it is of that kind. Undefined without a preference
 * or such a tier: the seller's default is then sold with no header, which
 * its listing says is its first tier, the one the search ranked it by.
 */
export function askedTier(listing: Listing, kind: TierKind | undefined): ListingTier | undefined {
  const sold = chosenTier(listing, kind);
  return kind !== undefined && sold?.kind === kind ? sold : undefined;
}

/**
 * What the engine bounds a token of `tier` with: the listing's advertised
 * price of that tier (a token naming none: the chosen tier's), undefined
 * for a tier the listing does not advertise (`unlisted_tier`), refused
 * (`wrong_tier`) for an advertised tier other than `chosen`.
 */
export function heldTo(listing: Listing, chosen: ListingTier | undefined): AdvertisedPrice {
  return (tier) => {
    const sold =
      tier === undefined ? (chosen ?? tierSold(listing)) : listing.tiers.find((t) => t.tier === tier);
    if (!sold || !chosen || sold.tier === chosen.tier) return sold?.priceMsat;
    return {
      refused: `the seller sold tier ${described(sold)} but was chosen for tier ${described(chosen)}`,
    };
  };
}

/** A tier in a refusal: `0 (bundle, 50000 msat)`. */
function described(t: ListingTier): string {
  return `${t.tier} (${t.kind}, ${t.priceMsat} msat)`;
}
