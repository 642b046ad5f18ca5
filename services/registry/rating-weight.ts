import type { ListingRating, ListingTier } from './types.js';

/**
 * How much one rating weighs and how a listing's rating sums are served.
 *
 * A rating weighs the amount its invoice asked, but at most the listing's
 * highest advertised tier price: the most one honest purchase from the
 * listing costs. The registry cannot see who paid, so a seller can rate
 * itself with invoices nobody paid (see docs/security.md); without the cap
 * one such invoice of any amount outweighs every paid rating.
 */

/** The highest advertised tier price of a listing, msat (0 when every tier is free). */
export function topTierPriceMsat(tiers: readonly Pick<ListingTier, 'priceMsat'>[]): number {
  return tiers.reduce((top, t) => Math.max(top, t.priceMsat), 0);
}

/** The weight of a rating backed by an invoice of `amountMsat`: the amount, capped at the listing's highest tier price. */
export function ratingWeightMsat(
  tiers: readonly Pick<ListingTier, 'priceMsat'>[],
  amountMsat: number,
): number {
  return Math.min(amountMsat, topTierPriceMsat(tiers));
}

/**
 * A listing's rating as served, from its exact sums: the weighted average
 * (within 1..5 even when the sums pass 2^53 and their conversion to numbers
 * rounds) and the total weight, capped at `Number.MAX_SAFE_INTEGER` so every
 * reader can parse it as a safe integer. Undefined while nothing weighs.
 */
export function servedRating(weighted: bigint, paid: bigint, count: number): ListingRating | undefined {
  if (paid === 0n) return undefined;
  const average = Math.min(5, Math.max(1, Number(weighted) / Number(paid)));
  const cap = BigInt(Number.MAX_SAFE_INTEGER);
  return { average, count, paidMsat: Number(paid < cap ? paid : cap) };
}
