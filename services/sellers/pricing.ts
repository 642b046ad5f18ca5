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
  z
    .strictObject({
      strategy: z.literal('demand'),
      everySec,
      stepMsat,
      /** Sales in one interval at or above which the price rises. */
      highSales: z.number().int().positive(),
      /** Sales in one interval at or below which the price falls (default 0: idle); below highSales. */
      lowSales: z.number().int().min(0).default(0),
      floorMsat: bound.optional(),
      ceilingMsat: bound.optional(),
    })
    .superRefine((s, ctx) => {
      if (s.lowSales >= s.highSales)
        ctx.addIssue({ code: 'custom', path: ['lowSales'], message: salesOverlap(s) });
    }),
]);

/** Why a demand strategy whose `lowSales` reaches `highSales` is refused. */
function salesOverlap(s: { lowSales: number; highSales: number }): string {
  const both = s.lowSales === s.highSales ? `${s.highSales}` : `${s.highSales} to ${s.lowSales}`;
  return (
    `expected lowSales below highSales (${s.highSales}), got ${s.lowSales}: an interval of ${both} sales ` +
    'would call for both a rise and a fall; lower lowSales or raise highSales'
  );
}

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

/** Floor and ceiling as a strategy sets them, defaults filled in; not checked. */
function resolveBounds(s: PricingStrategy, costMsat: number, startMsat: number): PriceBounds {
  return { floorMsat: s.floorMsat ?? Math.max(1, costMsat), ceilingMsat: s.ceilingMsat ?? startMsat };
}

/**
 * Floor and ceiling of a strategy for a seller costing `costMsat` per call and starting at `startMsat`.
 * Throws a RangeError when the floor is above the ceiling (`pricingConflicts` says which fields).
 */
export function priceBounds(s: PricingStrategy, costMsat: number, startMsat: number): PriceBounds {
  const b = resolveBounds(s, costMsat, startMsat);
  if (b.floorMsat > b.ceilingMsat)
    throw new RangeError(`pricing floor ${b.floorMsat} msat is above its ceiling ${b.ceilingMsat} msat`);
  return b;
}

/**
 * What keeps a repricing seller from starting within its bounds: a floor above the ceiling, or a
 * starting price (`price.msat`) outside them, where buyers would pay a price the strategy never
 * asks until its first step. Each names the field to edit, relative to the seller.
 */
export function pricingConflicts(
  s: PricingStrategy,
  costMsat: number,
  startMsat: number,
): { path: string; message: string }[] {
  const { floorMsat, ceilingMsat } = resolveBounds(s, costMsat, startMsat);
  if (floorMsat > ceilingMsat)
    return [
      {
        path: 'pricing.floorMsat',
        message: `expected a floor (${floorMsat} msat) at most the ceiling (${ceilingMsat} msat)`,
      },
    ];
  const until = 'until its first repricing step';
  if (startMsat > ceilingMsat)
    return [
      {
        path: 'price.msat',
        message: `expected a starting price at most pricing.ceilingMsat (${ceilingMsat} msat), got ${startMsat}: buyers would pay above the ceiling ${until}; lower price.msat or raise pricing.ceilingMsat`,
      },
    ];
  if (startMsat < floorMsat) {
    const floor =
      s.floorMsat === undefined
        ? 'costMsat, the floor when pricing.floorMsat is left out'
        : 'pricing.floorMsat';
    const lower = s.floorMsat === undefined ? 'set a lower pricing.floorMsat' : 'lower pricing.floorMsat';
    return [
      {
        path: 'price.msat',
        message: `expected a starting price at least the floor (${floorMsat} msat: ${floor}), got ${startMsat}: buyers would pay below the floor ${until}; raise price.msat or ${lower}`,
      },
    ];
  }
  return [];
}

/**
 * The next unit price and why. The result always lies within the bounds; a demand move is named
 * by where the price goes (`raise` up, `lower` down, `hold` unchanged), so a price found outside
 * the bounds is brought back into them under the name of its direction.
 */
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
  const step = o.sales >= s.highSales ? s.stepMsat : o.sales <= s.lowSales ? -s.stepMsat : 0;
  const msat = clamp(o.ownMsat + step, b);
  return { msat, move: msat > o.ownMsat ? 'raise' : msat < o.ownMsat ? 'lower' : 'hold' };
}

function move(msat: number, own: number, why: PricingMove): { msat: number; move: PricingMove } {
  return { msat, move: msat === own ? 'hold' : why };
}

function clamp(msat: number, b: PriceBounds): number {
  return Math.min(b.ceilingMsat, Math.max(b.floorMsat, msat));
}
