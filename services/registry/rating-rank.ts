import type { ListingRating } from './types.js';

/**
 * The score `sort=rating` ranks listings by: a listing's average shrunk
 * toward a neutral prior by the weight of its ratings (a Bayesian average).
 *
 *   rank = (average × paidMsat + RATING_PRIOR_SCORE × RATING_PRIOR_MSAT) / (paidMsat + RATING_PRIOR_MSAT)
 *
 * Every listing starts as if it held RATING_PRIOR_MSAT of 3-star ratings;
 * its own ratings pull it away from 3 only as far as their weight (the
 * amounts rated, each capped at the listing's dearest tier, see
 * `ratingWeightMsat`) outweighs that. An unrated listing ranks at 3. The
 * served `average` is unchanged: the rank is the order only.
 *
 * Why: the average alone ranked a listing holding one free self-rating (a
 * 1-msat invoice of its own node nobody paid, rated 5 from a second key)
 * above one with 20 paid ratings averaging 4.95. Ranked by this score, a
 * seller rating itself must put as much weight behind its ratings as honest
 * buyers put behind a rival's to outrank it (docs/security.md, "Ratings").
 */

/** The neutral score every listing is shrunk toward: the middle of 1–5. */
export const RATING_PRIOR_SCORE = 3;

/**
 * The weight (msat) of the neutral prior: 100 sat, about ten purchases at
 * 10,000 msat, a typical call price in this lab. A listing's own ratings
 * count for more than the prior once they weigh more than this.
 */
export const RATING_PRIOR_MSAT = 100_000;

/** The rank score of a listing's served rating (`RATING_PRIOR_SCORE` when it has none). */
export function ratingRank(rating: Pick<ListingRating, 'average' | 'paidMsat'> | undefined): number {
  if (!rating) return RATING_PRIOR_SCORE;
  const { average, paidMsat } = rating;
  return (average * paidMsat + RATING_PRIOR_SCORE * RATING_PRIOR_MSAT) / (paidMsat + RATING_PRIOR_MSAT);
}
