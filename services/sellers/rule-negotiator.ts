import type { NegotiationTurn, SellerNegotiator, SellerReply } from '../paywall/index.js';

/** Settings of the rule seller. */
export interface RuleSellerOptions {
  /** The lowest price the seller takes per call: its cost plus margin, in msat. */
  floorMsat: number;
}

/** The lowest price a negotiating seller takes: its cost per call plus its margin, at least 1 msat. */
export function sellerFloorMsat(costMsat: number, marginPct: number): number {
  return Math.max(1, Math.ceil((costMsat * (100 + marginPct)) / 100));
}

/**
 * A seller that never sells below its floor and meets the buyer halfway:
 * it accepts a bid at or above the floor in the last round, and otherwise
 * counters at the midpoint of the bid and its standing offer (rounded up),
 * never below the floor. The paywall gives it every price per call of the tier bid on, so the
 * floor holds per call of a bundle or a pass too (a 20-call bundle sells for at least 20 floors).
 * Deterministic: the same turn gets the same reply.
 * Cost-free (`costFree`), so the paywall asks it without a rate limit by default.
 *
 * @example
 * l402Paywall({ …, negotiation: { negotiator: ruleSeller({ floorMsat: 1_200 }) } });
 */
export function ruleSeller({ floorMsat }: RuleSellerOptions): SellerNegotiator {
  if (!Number.isSafeInteger(floorMsat) || floorMsat <= 0)
    throw new RangeError(`ruleSeller: floorMsat must be a positive integer msat, got ${floorMsat}`);
  return {
    // A reply is arithmetic in the seller's process: no rate limit needed in front of it.
    costFree: true,
    reply(t: NegotiationTurn): SellerReply {
      const last = t.round >= t.maxRounds - 1;
      if (t.bidMsat >= floorMsat && last) return { kind: 'accept' };
      const priceMsat = Math.max(floorMsat, Math.ceil((t.bidMsat + t.askMsat) / 2));
      return priceMsat <= t.bidMsat ? { kind: 'accept' } : { kind: 'counter', priceMsat };
    },
  };
}
