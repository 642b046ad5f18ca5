import { z } from 'zod';
import {
  DEFAULT_MARGIN_PCT,
  maxRoundsSchema,
  offerLifetimeSecSchema,
  perSecRateSchema,
} from '../../services/sellers/negotiation.js';

/**
 * Price negotiation in a scenario (opt-in: a scenario without these fields
 * runs exactly as before). Sellers with `negotiation` answer bids; buyers
 * with a `negotiator` other than `none` bid with every seller that does.
 */

const fraction = (what: string) =>
  z
    .number({ error: `expected ${what} as a number in (0, 1]` })
    .positive({ error: `expected ${what} as a number in (0, 1]` })
    .max(1, { error: `expected ${what} as a number in (0, 1]` });

/** A seller group's negotiation: its floor is its cost per call plus `marginPct`, per call of any tier. */
export const sellerNegotiationSchema = z.strictObject({
  negotiator: z.enum(['rule', 'llm']).default('rule'),
  /** Floor = ceil(costMsat × (100 + marginPct) / 100), at least 1 msat. */
  marginPct: z
    .number({ error: 'expected a margin in percent' })
    .min(0)
    .max(10_000)
    .default(DEFAULT_MARGIN_PCT),
  maxRounds: maxRoundsSchema.default(4),
  offerLifetimeSec: offerLifetimeSecSchema.default(60),
  /**
   * How often the seller's paywall asks its negotiator: `calls` per `perSec` seconds across all
   * bidders; a bid over it gets 429 and the buyer goes on at the posted price. Absent: none for
   * `rule`, 60 a minute for `llm` (the paywall's default for a negotiator that is not cost-free).
   */
  negotiatorRate: perSecRateSchema.optional(),
});

/** A buyer group's negotiator. */
export const buyerNegotiatorSchema = z.strictObject({
  name: z.enum(['none', 'rule', 'llm']),
  params: z
    .strictObject({
      /** First bid as a fraction of the posted price (rule). */
      startFraction: fraction('startFraction').default(0.5),
      /** Concession per round as a fraction of the posted price (rule). */
      stepFraction: fraction('stepFraction').default(0.1),
      /** The most the buyer pays, as a fraction of the posted price (rule). */
      reservationFraction: fraction('reservationFraction').default(1),
      /** Bids before taking the standing offer or walking away (rule). */
      maxBids: z.number().int().min(1).max(8).default(4),
    })
    .default({ startFraction: 0.5, stepFraction: 0.1, reservationFraction: 1, maxBids: 4 }),
});

export type SellerNegotiationSpec = z.infer<typeof sellerNegotiationSchema>;
export type BuyerNegotiatorSpec = z.infer<typeof buyerNegotiatorSchema>;
