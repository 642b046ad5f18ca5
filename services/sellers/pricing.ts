import { z } from 'zod';

/**
 * Pricing strategies: how a seller with a posted (fixed) unit price moves it
 * at each repricing step, from what a real seller can observe — the prices
 * its competitors list in the registry, and its own sales since the last
 * step. Pure functions: the caller decides when to step and where the
 * observations come from.
 */

const stepMsat = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const bound = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** At least 1 ms: the repricing loop steps in whole ms of virtual time. */
const everySec = z
  .number()
  .min(0.001, { error: 'expected at least 0.001 s (1 ms): repricing steps in whole milliseconds' })
  .max(86_400);

/** A repricing strategy and how often it steps. */
export const pricingStrategySchema = z.discriminatedUnion('strategy', [
  /**
   * Undercut the cheapest competitor by `stepMsat`; when that would go below
   * the floor, jump back to the ceiling (Edgeworth cycle, Maskin and Tirole 1988).
   */
  z.strictObject({
    strategy: z.literal('undercut'),
    everySec,
    stepMsat,
    /** Lowest price it will ask (default: its cost of serving a call, at least 1 msat). */
    floorMsat: bound.optional(),
    /** Highest price, and where it jumps back to (default: its starting price). */
    ceilingMsat: bound.optional(),
  }),
  /** Raise by `stepMsat` after a busy interval, lower after an idle one. */
  z.strictObject({
    strategy: z.literal('demand'),
    everySec,
    stepMsat,
    /** Sales in one interval at or above which the price rises. */
    highSales: z.number().int().positive(),
    /** Sales in one interval at or below which the price falls (default 0: idle). */
    lowSales: z.number().int().min(0).default(0),
    floorMsat: bound.optional(),
    ceilingMsat: bound.optional(),
  }),
]);

export type PricingStrategy = z.output<typeof pricingStrategySchema>;

/** What a seller sees at a repricing step. */
export interface PricingObservation {
  /** Its own current unit price. */
  ownMsat: number;
  /** Competitors' listed unit prices (same capability, other sellers); may be empty. */
  competitorsMsat: readonly number[];
  /** Its own sales since the last step. */
  sales: number;
}

/** The bounds a strategy keeps to, resolved from the strategy and the seller's cost and starting price. */
export interface PriceBounds {
  floorMsat: number;
  ceilingMsat: number;
}

/** Why the price moved (or not), for the run's events. */
export type PricingMove = 'undercut' | 'relent' | 'raise' | 'lower' | 'hold';

/** Floor and ceiling of a strategy for a seller costing `costMsat` per call and starting at `startMsat`. */
export function priceBounds(s: PricingStrategy, costMsat: number, startMsat: number): PriceBounds {
  const floorMsat = s.floorMsat ?? Math.max(1, costMsat);
  const ceilingMsat = s.ceilingMsat ?? startMsat;
  if (floorMsat > ceilingMsat)
    throw new RangeError(`pricing floor ${floorMsat} msat is above its ceiling ${ceilingMsat} msat`);
  return { floorMsat, ceilingMsat };
}

/** The next unit price and why. The result always lies within the bounds. */
export function nextPrice(
  s: PricingStrategy,
  b: PriceBounds,
  o: PricingObservation,
): { msat: number; move: PricingMove } {
  if (s.strategy === 'undercut') {
    // No visible competitor: nothing to undercut, ask the ceiling.
    if (o.competitorsMsat.length === 0) return move(b.ceilingMsat, o.ownMsat, 'relent');
    const target = Math.min(...o.competitorsMsat) - s.stepMsat;
    // Undercutting would sell below the floor: leave the fight and post the ceiling.
    if (target < b.floorMsat) return move(b.ceilingMsat, o.ownMsat, 'relent');
    return move(Math.min(target, b.ceilingMsat), o.ownMsat, 'undercut');
  }
  if (o.sales >= s.highSales)
    return move(Math.min(b.ceilingMsat, o.ownMsat + s.stepMsat), o.ownMsat, 'raise');
  if (o.sales <= s.lowSales) return move(Math.max(b.floorMsat, o.ownMsat - s.stepMsat), o.ownMsat, 'lower');
  return { msat: clamp(o.ownMsat, b), move: 'hold' };
}

function move(msat: number, own: number, why: PricingMove): { msat: number; move: PricingMove } {
  return { msat, move: msat === own ? 'hold' : why };
}

function clamp(msat: number, b: PriceBounds): number {
  return Math.min(b.ceilingMsat, Math.max(b.floorMsat, msat));
}
