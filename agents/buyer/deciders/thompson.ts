import type { Rng } from '../../../infra/random.js';
import type { Listing } from '../../../services/registry/types.js';
import { topTierPriceMsat } from '../../../services/registry/rating-weight.js';
import type { PurchaseOutcome } from '../../l402/index.js';
import type { OfferTerms } from '../types.js';
import { betaDraw } from './beta.js';
import { acceptable, perCall, type Choice, type Decider, type SellerOutcome } from './types.js';

/** Settings of the Thompson-sampling decider. */
export interface ThompsonOptions {
  /** Beta prior on a seller's delivery probability before any evidence (default 1, 1: uniform). */
  prior?: { successes: number; failures: number };
  /**
   * Most pseudo-observations a seller's registry rating may add to the prior
   * (default 10). Ratings are written by others, so they shift the prior but
   * never outweigh what the buyer saw itself for long. A rating counts as
   * many observations as full-price purchases its weight sums to (see
   * `ratingObservations`), not as many as there are ratings.
   */
  ratingWeight?: number;
}

/** Outcomes that are the seller's doing: it took part in the sale and did not deliver (a failed negotiation is not a failure). */
const SELLER_FAILURES: ReadonlySet<PurchaseOutcome> = new Set<PurchaseOutcome>([
  'seller_error',
  'not_delivered',
  'token_rejected',
  // A token it sold, with calls left, refused by the seller that sold it.
  'token_refused',
  'invoice_rejected',
  'no_quote',
  // A resold slice that failed the buyer's check at the origin: the reseller sold what it did not have.
  'slice_refused',
]);

/** What a purchase outcome says about its seller: delivered, failed, or nothing (the buyer's or the network's doing). */
export function sellerOutcome(listingId: string, outcome: PurchaseOutcome): SellerOutcome | undefined {
  if (outcome === 'success') return { listingId, delivered: true };
  return SELLER_FAILURES.has(outcome) ? { listingId, delivered: false } : undefined;
}

/**
 * How many observations a listing's registry rating is worth: its total
 * weight (`paidMsat`) in purchases of the listing's dearest tier, at most its
 * number of ratings. The average weighs each rating by the amount paid (at
 * most that tier's price), so ratings of 1 msat, however many, are worth
 * almost nothing, and one rating is worth at most one observation.
 */
export function ratingObservations(listing: Pick<Listing, 'rating' | 'tiers'>): number {
  const r = listing.rating;
  const top = topTierPriceMsat(listing.tiers);
  if (!r || r.count <= 0 || top <= 0) return 0;
  return Math.min(r.count, r.paidMsat / top);
}

/**
 * A bandit over sellers (Thompson sampling, Thompson 1933; Chapelle and Li
 * 2011): each seller's delivery probability has a Beta posterior, from a
 * prior, its registry rating and the buyer's own outcomes with it. For each
 * decision it draws a probability per offer from that posterior and buys
 * the offer with the highest drawn expected surplus (probability × value −
 * price) per task call served (`perCall`: bundles and passes weigh fairly
 * against single calls). Offers whose posterior-mean surplus is not positive
 * are never bought: once a seller has failed often enough, the buyer stops
 * paying it.
 * The posteriors live as long as the decider, so one decider per buyer
 * learns across all of that buyer's tasks.
 */
export function thompsonDecider(rng: Rng, options: ThompsonOptions = {}): Decider {
  const prior = options.prior ?? { successes: 1, failures: 1 };
  const ratingWeight = options.ratingWeight ?? 10;
  if (!(prior.successes > 0 && prior.failures > 0))
    throw new RangeError('thompson prior successes and failures must be positive');
  const seen = new Map<string, { successes: number; failures: number }>();

  /** Beta parameters of an offer's seller: prior + rating pseudo-counts + own outcomes. */
  function posterior(o: OfferTerms): [number, number] {
    const own = seen.get(o.listing.id) ?? { successes: 0, failures: 0 };
    const r = o.listing.rating;
    const weight = Math.min(ratingObservations(o.listing), ratingWeight);
    const good = weight > 0 ? Math.min(1, Math.max(0, (r!.average - 1) / 4)) : 0;
    return [
      prior.successes + weight * good + own.successes,
      prior.failures + weight * (1 - good) + own.failures,
    ];
  }

  return {
    name: 'thompson',
    async choose(offers) {
      const choice = pick(offers);
      return {
        ...choice,
        record: {
          decider: 'thompson',
          chosen: choice.index >= 0 ? offers[choice.index]!.listing.id : undefined,
          reason: choice.reason,
          latencyMs: 0,
        },
      };
    },
    learn(outcomes) {
      for (const o of outcomes) {
        const s = seen.get(o.listingId) ?? { successes: 0, failures: 0 };
        if (o.delivered) s.successes++;
        else s.failures++;
        seen.set(o.listingId, s);
      }
    },
  };

  function pick(offers: readonly OfferTerms[]): Choice {
    const ok = acceptable(offers).filter((i) => {
      const [a, b] = posterior(offers[i]!);
      return (a / (a + b)) * offers[i]!.valueMsat > offers[i]!.priceMsat;
    });
    if (ok.length === 0) return { index: -1, reason: 'thompson: no offer has a positive expected surplus' };
    let best = -1;
    let bestScore = -Infinity;
    // One draw per offer, in registry order, so a seeded run repeats.
    for (const i of ok) {
      const [a, b] = posterior(offers[i]!);
      const score = perCall(offers[i]!, betaDraw(rng, a, b) * offers[i]!.valueMsat - offers[i]!.priceMsat);
      if (score > bestScore) [best, bestScore] = [i, score];
    }
    const [a, b] = posterior(offers[best]!);
    return {
      index: best,
      reason: `thompson: ${offers[best]!.listing.name}, delivery posterior Beta(${a}, ${b}), drawn surplus ${Math.round(bestScore)} msat per call`,
    };
  }
}
