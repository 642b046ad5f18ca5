/**
 * The registry's data model, shared by the registry server, its client, the
 * sellers that register and the buyers and simulator that search. Plain data
 * only: everything here round-trips through JSON.
 */

/** How a tier sells access: one call, a bundle of N calls, or a time pass. */
export type TierKind = 'single' | 'bundle' | 'pass';

/** One way to buy a service, as advertised (the 402 challenge is the actual quote). */
export interface ListingTier {
  /** Tier number as carried in the `services=name:tier` caveat (uint8). */
  tier: number;
  name: string;
  kind: TierKind;
  /** Calls granted (bundle; 1 for single). */
  calls?: number;
  /** Seconds the token stays valid (pass). */
  durationSec?: number;
  /** Advertised price of the tier in msat. */
  priceMsat: number;
}

/** What a seller signs when it registers or updates: everything but the registry's own bookkeeping. */
export interface ListingFields {
  name: string;
  /** The paid resource: a GET here without a token answers 402 with a challenge. */
  url: string;
  category: string;
  capabilities: string[];
  tiers: ListingTier[];
  /** 33-byte compressed secp256k1 public key (hex) of the node that issues the invoices. */
  nodePubkey: string;
  description?: string;
  /** Seller-declared quality in [0, 1]. */
  quality?: number;
}

/** What the registry's health prober saw last time it asked for a challenge. */
export interface ListingHealth {
  alive: boolean;
  latencyMs?: number;
  /** Amount of the invoice in the last challenge (the real price, not the advertised one). */
  quotedPriceMsat?: number;
  /** Why the last probe failed, when it did (machine-readable). */
  error?: string;
  checkedAt: number;
  /** Consecutive failed probes. */
  failures: number;
}

/**
 * Score over proven purchases, each weighted by the amount paid, capped at
 * the listing's highest advertised tier price when rated (one rating weighs
 * at most one purchase of the dearest tier).
 */
export interface ListingRating {
  /** sum(score x weight) / sum(weight), within 1..5. */
  average: number;
  /** Ratings accepted, whatever each weighs. */
  count: number;
  /** Sum of the ratings' weights (msat), served at most `Number.MAX_SAFE_INTEGER`. */
  paidMsat: number;
}

/** A listing as the registry serves it. */
export interface Listing extends ListingFields {
  id: string;
  health?: ListingHealth;
  rating?: ListingRating;
  createdAt: number;
  updatedAt: number;
  /** `signedAt` of the last accepted signed change; older signed requests are replays. */
  signedAt: number;
}

/** How search results are ordered (`random`: a shuffle drawn from the registry's random source). */
export type ListingSort = 'price' | 'rating' | 'latency' | 'random';

/** How listings equal under the sort are ordered: by id (reproducible anywhere), or shuffled from the registry's random source. */
export type ListingTies = 'id' | 'random';

/**
 * Which tier's price a search filters and ranks by: `default`, each listing's
 * first tier (what a request naming no tier is sold); a kind, each listing's
 * first tier of that kind, or its first tier when it sells none (what a
 * buyer asking for that kind is sold).
 */
export type SearchTier = TierKind | 'default';

/** A search: every field narrows; `limit` is the buyer's search bandwidth. */
export interface ListingQuery {
  capability?: string;
  category?: string;
  /** Keep listings whose price (the `tier`'s; without one, the entry price: the cheapest tier) is at most this. */
  maxPriceMsat?: number;
  /** Keep only listings whose last probe succeeded (unprobed listings count as alive). */
  alive?: boolean;
  sort?: ListingSort;
  /** The tier whose price `maxPriceMsat` and `sort: 'price'` read (absent: the entry price, the cheapest tier). */
  tier?: SearchTier;
  /** Keep only listings that list a tier of this kind (`tier` alone ranks a listing without one by its first tier). */
  sells?: TierKind;
  /** Order among listings the sort finds equal (default `id`). */
  ties?: ListingTies;
  limit?: number;
}

/** A change pushed to subscribers (in memory) and over the WebSocket `/feed`. */
export type RegistryEvent =
  | { type: 'listing_added'; listing: Listing }
  | { type: 'listing_updated'; listing: Listing }
  | { type: 'listing_removed'; listing: Listing }
  | { type: 'price_changed'; listing: Listing; previousPriceMsat?: number; priceMsat?: number }
  | { type: 'health_changed'; listing: Listing };

/** A proven rating: a node other than the listing's paid an invoice of the listing's node and signed the score. */
export interface RatingRecord {
  listingId: string;
  paymentHash: string;
  score: number;
  at: number;
  /** The rating's weight: the invoice's amount, capped at the listing's highest tier price when rated. */
  amountMsat: number;
  /** The paying node's key. */
  payer: string;
  /**
   * Set once a second, different payer key proved the same payment: the record then weighs nothing
   * (its weight left the listing's sums) and its hash stays used, so nobody can rate with it again.
   */
  disputed?: true;
}

/** A listing's rating as saved: the sums of score x amount and of amounts (msat, decimal strings: they may pass 2^53) and the count. */
export interface RatingSum {
  listingId: string;
  weightedScoreMsat: string;
  paidMsat: string;
  count: number;
}

/** Machine-readable reasons the registry refuses a request. */
export type RegistryErrorCode =
  | 'bad_json'
  | 'body_aborted'
  | 'body_timeout'
  | 'body_too_large'
  | 'invalid_body'
  | 'invalid_id'
  | 'invalid_query'
  | 'method_not_allowed'
  | 'bad_signature'
  | 'stale_signature'
  | 'not_found'
  | 'already_listed'
  | 'pubkey_mismatch'
  | 'url_mismatch'
  | 'too_many_listings'
  | 'forbidden_address'
  | 'unresolvable_host'
  | 'resolve_unavailable'
  | 'bad_invoice'
  | 'wrong_payee'
  | 'wrong_preimage'
  | 'hash_mismatch'
  | 'already_rated'
  | 'rating_disputed'
  | 'wrong_registry'
  | 'too_many_ratings'
  | 'self_rating'
  | 'wrong_network'
  | 'zero_amount'
  | 'stale_invoice'
  | 'unsupported_media_type';

/** An expected refusal, as a value: the HTTP edge maps it to a 4xx with this code. */
export interface RegistryFailure {
  ok: false;
  code: RegistryErrorCode;
  message: string;
}

/** Either a value or a refusal. */
export type RegistryResult<T> = ({ ok: true } & T) | RegistryFailure;
