/**
 * The seller's side of price negotiation, as the paywall sees it: one turn
 * in, one reply out. A negotiator is the seller's own code (a rule, or a
 * model whose output it has already filtered); the paywall still clamps its
 * reply into the protocol's bounds, so no negotiator can raise a standing
 * offer or sell below the buyer's bid by mistake.
 */

import type { RateLimit, TokenBucketLimiter } from './rate-limiter.js';

/** Request: the buyer's proposed price, in msat (a positive integer). */
export const BID_HEADER = 'L402-Bid';

/**
 * Request: the seller's last offer token, sent back with the next bid (or
 * with a bid at its price, to take it). Response: the offer the seller
 * now stands by (a counter, or the accepted price).
 */
export const OFFER_HEADER = 'L402-Offer';

/**
 * What the seller's negotiator is asked, once per bid. Its prices are per call of the tier bid on
 * (see per-call.ts): a bid on a bundle or a pass is shown divided by the tier's `calls`, the prices
 * asked rounded up and the bid down, and a counter is multiplied back, so a floor per call holds
 * for every tier. A single call's turn is at the tier's prices as they are.
 */
export interface NegotiationTurn {
  service: string;
  tier: number;
  /** How many calls the tier's price is for (its `pricedCalls`): 1 for a single call. */
  calls: number;
  /** The price a buyer who does not negotiate pays now, per call. */
  postedMsat: number;
  /** The seller's standing offer per call: the posted price in round 0, else its last counter. */
  askMsat: number;
  /** The buyer's bid per call, rounded down: 0 under 1 msat a call (below `askMsat`: a bid at or above it is accepted without asking). */
  bidMsat: number;
  /** 0 for the first bid. */
  round: number;
  /** The seller's last round is `maxRounds - 1`. */
  maxRounds: number;
}

/** The negotiator's answer; a counter's `priceMsat` is per call, like the turn's prices. */
export type SellerReply =
  { kind: 'accept' } | { kind: 'counter'; priceMsat: number } | { kind: 'refuse'; reason: string };

/** Decides each turn of a negotiation for one seller. */
export interface SellerNegotiator {
  /** The reply; an asynchronous one gets `replyTimeoutMs`, after which `signal` aborts (pass it to the model call). */
  reply(turn: NegotiationTurn, signal?: AbortSignal): SellerReply | Promise<SellerReply>;
  /**
   * True when a reply costs the seller nothing (a rule in its own process, as `ruleSeller`): the
   * paywall then asks it without a rate limit unless `negotiatorRate` sets one. Anything else (a model,
   * a remote service) is limited to `DEFAULT_NEGOTIATOR_RATE` unless `negotiatorRate` says otherwise.
   */
  readonly costFree?: boolean;
}

/** `l402Paywall`'s `negotiation` option. */
export interface NegotiationOptions {
  negotiator: SellerNegotiator;
  /** Bids per negotiation, counting the first (default 4, at most 16). */
  maxRounds?: number;
  /** Most ms an asynchronous negotiator (a model) may take per reply; then 503 (default 10,000). */
  replyTimeoutMs?: number;
  /** How long an offer token holds (default 60 s, at most `MAX_OFFER_LIFETIME_SEC`, a day). */
  offerLifetimeSec?: number;
  /**
   * How often the paywall asks its negotiator, on the paywall's clock, across all bidders of this
   * paywall (bids carry no identity): a token bucket of `calls` per `perMs` ms, bursts of up to
   * `calls`. A bid over it is answered 429 `bid_rate_limited` with `Retry-After` before the
   * negotiator is asked; taking the standing offer never asks it, so is never limited. Default:
   * `DEFAULT_NEGOTIATOR_RATE` (60 a minute), or none for a `costFree` negotiator.
   */
  negotiatorRate?: RateLimit;
  /**
   * The key offer tokens are MACed with (32 bytes or more). Default: drawn
   * from the paywall's `secrets` when it is built; instances of one seller
   * behind a load balancer pass the same key.
   */
  offerKey?: Uint8Array;
}

/** Negotiation as the paywall runs it: options checked, defaults filled in. */
export interface NegotiationState {
  readonly negotiator: SellerNegotiator;
  readonly maxRounds: number;
  readonly offerLifetimeMs: number;
  readonly replyTimeoutMs: number;
  readonly offerKey: Uint8Array;
  /** The bound on negotiator calls and its bucket (both absent: unlimited, a cost-free negotiator). */
  readonly rate: RateLimit | undefined;
  readonly limiter: TokenBucketLimiter | undefined;
}
