import type { BuyerMove, BuyerNegotiator, BuyerTurn } from '../l402/index.js';

/** Settings of the rule buyer (fractions of the seller's posted price). */
export interface RuleBuyerOptions {
  /** First bid, as a fraction of the posted price (default 0.5). */
  startFraction?: number;
  /** Added to the bid each round, as a fraction of the posted price (default 0.1). */
  stepFraction?: number;
  /** The most the buyer pays, as a fraction of the posted price (default 1: up to the limit). */
  reservationFraction?: number;
  /** Bids before the buyer takes the standing offer or walks (default 4). */
  maxBids?: number;
}

/**
 * A buyer that opens at a fraction of the posted price and concedes a fixed
 * step per round, never past its reservation: `reservationFraction` of the
 * posted price, and never past the stage's limit (posted price, ceiling,
 * task value). It takes a counter as soon as the
 * counter is no more than what it would bid next, and after `maxBids`, or
 * once the seller says it has no round left (`roundsLeft: 0`), takes the
 * standing offer if it is within its reservation, else walks away.
 *
 * @example
 * engine.negotiate(offer, ruleBuyer({ startFraction: 0.5, stepFraction: 0.1 }), hints);
 */
export function ruleBuyer({
  startFraction = 0.5,
  stepFraction = 0.1,
  reservationFraction = 1,
  maxBids = 4,
}: RuleBuyerOptions = {}): BuyerNegotiator {
  const fraction = (v: number, what: string) => {
    if (!(Number.isFinite(v) && v > 0 && v <= 1))
      throw new RangeError(`ruleBuyer: ${what} must be in (0, 1], got ${v}`);
  };
  fraction(startFraction, 'startFraction');
  fraction(stepFraction, 'stepFraction');
  fraction(reservationFraction, 'reservationFraction');
  if (!Number.isSafeInteger(maxBids) || maxBids < 1)
    throw new RangeError(`ruleBuyer: maxBids must be a positive integer, got ${maxBids}`);
  return {
    name: 'rule',
    next(t: BuyerTurn): BuyerMove {
      const reserve = Math.min(t.limitMsat, Math.floor(t.postedMsat * reservationFraction));
      if (t.round >= maxBids || t.roundsLeft === 0)
        return t.askMsat <= reserve
          ? { kind: 'take' }
          : { kind: 'walk', reason: `the seller's ${t.askMsat} msat is above ${reserve} msat` };
      const bidMsat = Math.min(reserve, Math.ceil(t.postedMsat * (startFraction + t.round * stepFraction)));
      if (t.counters.length > 0 && t.askMsat <= bidMsat) return { kind: 'take' };
      return { kind: 'bid', bidMsat };
    },
  };
}
