import type { OfferTerms, DecisionRecord, Task } from '../types.js';

/** A decider's pick: the index of a candidate, or none with a reason. */
export type Choice = { index: number; reason: string } | { index: -1; reason: string };

/** What one purchase showed about a seller: it delivered, or it failed the buyer (the seller's doing). */
export interface SellerOutcome {
  listingId: string;
  delivered: boolean;
}

/**
 * Picks one offer among offers. Rule deciders are pure; the LLM decider calls
 * a model; a learning decider also `learn`s from the outcomes of its buyer's
 * purchases (the agent reports them after each task).
 */
export interface Decider {
  readonly name: string;
  choose(offers: readonly OfferTerms[], task: Task): Promise<Choice & { record: DecisionRecord }>;
  learn?(outcomes: readonly SellerOutcome[]): void;
  /**
   * For streamed quotes: true when this offer, just arrived, is good enough
   * to take without waiting for the others. A decider without it sees every
   * quote that arrives before the stream's timeout or maximum count.
   */
  accepts?(offer: OfferTerms, task: Task): boolean;
}

/** Why a decider could not be built (configuration, never per decision). */
export type DeciderErrorCode = 'missing_api_key' | 'invalid_model_env' | 'invalid_decider_spec';

/**
 * An amount of an offer per task call it serves (`covers`): how deciders
 * compare offers for different tiers. A single call at 2,000 msat and a
 * 10-call bundle at 16,000 serving 8 of the task's calls cost 2,000 and
 * 2,000 per call; serving 3, the bundle costs 5,333 per call. Calls a token
 * keeps beyond the task count for nothing here (a later task reuses them).
 */
export function perCall(c: Pick<OfferTerms, 'covers'>, msat: number): number {
  return msat / Math.max(1, c.covers);
}

/** Offers worth buying: priced at or below the value of the calls they serve. */
export function acceptable(offers: readonly OfferTerms[]): number[] {
  const out: number[] = [];
  offers.forEach((c, i) => {
    if (c.priceMsat <= c.valueMsat) out.push(i);
  });
  return out;
}
