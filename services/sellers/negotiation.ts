/**
 * A seller's price negotiation as its configuration gives it: the floor (an explicit `floorMsat`,
 * or the cost of a call plus a margin), the rounds and offer lifetime, and how often the negotiator
 * may be asked; turned into the paywall's `negotiation` option with the rule negotiator. Rates in a
 * configuration are `calls` per `perSec` seconds (the paywall's are per ms).
 */
import { z } from 'zod';
import type { NegotiationOptions, RateLimit, SellerNegotiator } from '../paywall/index.js';
import {
  DEFAULT_REPLY_TIMEOUT_MS,
  MAX_OFFER_LIFETIME_SEC,
  MAX_ROUNDS_LIMIT,
} from '../paywall/negotiation-options.js';
import { ruleSeller, sellerFloorMsat } from './rule-negotiator.js';

/** The longest window of a configured rate: a year. */
const MAX_PER_SEC = 365 * 86_400;

/** `calls` per `perSec` seconds, a token bucket: bursts of up to `calls`. */
export const perSecRateSchema = z.strictObject({
  calls: z.number().int().positive(),
  // The bucket refills calls / (perSec × 1000) per ms: a window under 1 ms makes that rate no number.
  perSec: z
    .number()
    .min(0.001, { error: 'expected at least 0.001 s (1 ms): the clock counts whole milliseconds' })
    .max(MAX_PER_SEC),
});

export type PerSecRate = z.output<typeof perSecRateSchema>;

/** A configured rate as the paywall takes it: whole ms (1.001 s is 1001 ms, not 1000.9999999999999). */
export function perMsRate(r: PerSecRate): RateLimit {
  return { calls: r.calls, perMs: Math.round(r.perSec * 1000) };
}

/** The paywall's reply timeout in seconds: a configured offer must outlive it. */
const REPLY_TIMEOUT_SEC = DEFAULT_REPLY_TIMEOUT_MS / 1000;

/** How long an offer token holds, seconds: longer than a negotiator's reply may take, at most a day (the paywall's bounds). */
export const offerLifetimeSecSchema = z
  .number()
  .int()
  .gt(REPLY_TIMEOUT_SEC, {
    error: `expected more than ${REPLY_TIMEOUT_SEC} s: an offer must outlive the ${REPLY_TIMEOUT_SEC} s a negotiator may take to reply`,
  })
  .max(MAX_OFFER_LIFETIME_SEC, {
    error: `expected at most ${MAX_OFFER_LIFETIME_SEC.toLocaleString('en-US')} s (a day): an offer is a price to take soon, not a standing discount`,
  });

/** The margin over the cost of a call when none is given, percent. */
export const DEFAULT_MARGIN_PCT = 20;

/** Rounds of offers a negotiation may take (the paywall's bound). */
export const maxRoundsSchema = z
  .number()
  .int()
  .min(1)
  .max(MAX_ROUNDS_LIMIT, { error: `expected maxRounds from 1 to ${MAX_ROUNDS_LIMIT}` });

/** A seller's negotiation: the rule negotiator answers bids down to its floor. */
export const negotiationConfigSchema = z
  .strictObject({
    /** The lowest price taken per call, msat (or give `costMsat`); a bundle or a pass is held to it per call. */
    floorMsat: z.number().int().positive().optional(),
    /** What serving a call costs, msat: floor = ceil(costMsat × (100 + marginPct) / 100), at least 1 msat. */
    costMsat: z.number().int().nonnegative().optional(),
    /** Margin over `costMsat`, percent (default 20). */
    marginPct: z.number({ error: 'expected a margin in percent' }).min(0).max(10_000).optional(),
    maxRounds: maxRoundsSchema.default(4),
    offerLifetimeSec: offerLifetimeSecSchema.default(60),
    /** How often the negotiator is asked, all bidders together (default: no limit, a rule costs nothing). */
    negotiatorRate: perSecRateSchema.optional(),
  })
  .superRefine((n, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (n.floorMsat === undefined && n.costMsat === undefined)
      issue(
        [],
        `give floorMsat (the lowest price taken, msat), or costMsat (what a call costs you, msat: the floor is then the cost plus marginPct, default ${DEFAULT_MARGIN_PCT} %)`,
      );
    if (n.floorMsat !== undefined && n.costMsat !== undefined)
      issue(['floorMsat'], 'give floorMsat or costMsat (with marginPct), not both');
    if (n.marginPct !== undefined && n.costMsat === undefined)
      issue(['marginPct'], 'a margin is over costMsat: give costMsat with it, or floorMsat alone');
  });

export type NegotiationConfig = z.output<typeof negotiationConfigSchema>;

/** The floor a configured negotiation sells down to. */
export function configFloorMsat(n: NegotiationConfig): number {
  return n.floorMsat ?? sellerFloorMsat(n.costMsat ?? 0, n.marginPct ?? DEFAULT_MARGIN_PCT);
}

/** What the paywall's `negotiation` option takes besides the negotiator. */
export type NegotiationTerms = Pick<NegotiationConfig, 'maxRounds' | 'offerLifetimeSec' | 'negotiatorRate'>;

/** The paywall's `negotiation` option: `negotiator` under `terms`. */
export function paywallNegotiation(
  terms: NegotiationTerms,
  negotiator: SellerNegotiator,
): NegotiationOptions {
  const rate = terms.negotiatorRate;
  return {
    negotiator,
    maxRounds: terms.maxRounds,
    offerLifetimeSec: terms.offerLifetimeSec,
    ...(rate ? { negotiatorRate: perMsRate(rate) } : {}),
  };
}

/** A configured negotiation as the paywall's option, answered by the rule negotiator. */
export function configNegotiation(n: NegotiationConfig): NegotiationOptions {
  return paywallNegotiation(n, ruleSeller({ floorMsat: configFloorMsat(n) }));
}
