import { z } from 'zod';
import {
  ARCHETYPES,
  adversarialSchema,
  latencySchema as sellerLatencySchema,
  priceStrategySchema,
  sellerConfigSchema,
} from '../../services/sellers/config.js';
import { pricingStrategySchema } from '../../services/sellers/pricing.js';
import { fraction, msat, name } from './fields.js';
import { sellerNegotiationSchema } from './negotiation-schema.js';
import { groupCount, taskCalls } from './limits.js';

/** The capability each seller archetype sells (fixed by services/sellers; a test keeps this in step). */
export const ARCHETYPE_CAPABILITY = {
  'data-feed': 'anomalies:read',
  compute: 'compute:stats',
  'llm-summary': 'text:summarize',
} as const;

/**
 * A group of `count` identical sellers (named `<name>-0`, `<name>-1`, …).
 * Price, tiers, latency, adversarial modes, category, description,
 * capacity, maxCallsGivenBack and holdRefundRate use the sellers' own configuration schemas
 * (services/sellers/config.ts), so what validates here is what a seller accepts.
 */
export const sellerSchema = z.strictObject({
  name: name().max(40, { error: 'expected at most 40 characters' }),
  count: groupCount().default(1),
  archetype: z.enum(ARCHETYPES),
  category: sellerConfigSchema.shape.category,
  description: sellerConfigSchema.shape.description,
  quality: fraction().default(0.9),
  price: priceStrategySchema,
  tiers: sellerConfigSchema.shape.tiers,
  latency: sellerLatencySchema.optional(),
  /** Time to quote: drawn per 402 challenge and slept (virtual time) before it is sent. */
  quoteLatency: sellerLatencySchema.optional(),
  capacity: sellerConfigSchema.shape.capacity,
  failureRate: fraction().default(0),
  /** What serving one delivered call costs the seller (msat): seller profit is revenue minus this. */
  costMsat: msat().default(0),
  payOnSuccess: z.boolean().default(false),
  /** Most calls each `max_calls` quota gets back when the handler answers 5xx (default: as many as it holds; 0: none). */
  maxCallsGivenBack: sellerConfigSchema.shape.maxCallsGivenBack,
  /** With payOnSuccess: most pay-on-success calls refunded after the handler ran, `calls` per `perSec` seconds, all buyers together. */
  holdRefundRate: sellerConfigSchema.shape.holdRefundRate,
  adversarial: adversarialSchema.optional(),
  /** Repricing while the market runs: undercut competitors' listed prices, or follow demand (needs a fixed price). */
  pricing: pricingStrategySchema.optional(),
  /**
   * Upstream purchases made for every paid call served: an agent that buys, adds value and sells on.
   * Each entry's `calls` is at most a run's whole allowance; the calls they add count in a run's
   * work (run-work.ts).
   */
  upstream: z
    .array(
      z.strictObject({
        capability: z.string(),
        calls: taskCalls().default(1),
        maxPriceMsat: msat().optional(),
      }),
    )
    .default([]),
  /** Answer buyers' bids below the posted price (see docs/l402.md, "Price negotiation"). */
  negotiation: sellerNegotiationSchema.optional(),
  /** Spending balance for upstream purchases (only with `upstream`). */
  balanceMsat: msat().default(0),
  /** Payment policy for upstream purchases (default: allow_all). */
  policy: z
    .strictObject({ name: z.string(), params: z.record(z.string(), z.unknown()).default({}) })
    .optional(),
});
