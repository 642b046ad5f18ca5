import { z } from 'zod';
import { fraction, name, posInt, positiveNumber } from './fields.js';
import type { arrivalsSchema, taskTypeSchema } from './buyer-schema.js';
import { buyerSchema, resellerSchema } from './buyer-schema.js';
import { drainSec, durationSec, searchLimit } from './limits.js';
import { networkSchema } from './network-schema.js';
import { sellerSchema } from './seller-schema.js';
import type { latencySchema, valueSchema } from './fields.js';

/**
 * The scenario file format: one YAML document describing a whole market.
 * Amounts are integer msat, times are seconds of (virtual) time. Every field
 * a user may get wrong carries a message that names what was expected, so a
 * bad file fails with `path: reason` before anything runs. The parts live in
 * fields.ts, seller-schema.ts, buyer-schema.ts and network-schema.ts.
 */

export { latencySchema, valueSchema } from './fields.js';
export { ARCHETYPE_CAPABILITY, sellerSchema } from './seller-schema.js';
export {
  arrivalsSchema,
  buyerSchema,
  policyRefSchema,
  resellerSchema,
  taskTypeSchema,
} from './buyer-schema.js';
export { networkSchema, topologySchema } from './network-schema.js';

/** A fault injected at a point of (virtual) time. */
export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('node_offline'),
    atSec: z.number().min(0),
    node: z.string(),
    forSec: positiveNumber().optional(),
  }),
  z.strictObject({
    kind: z.literal('drain_channel'),
    atSec: z.number().min(0),
    node: z.string(),
    /** Fraction of the node's outbound liquidity moved to the far side. */
    fraction: fraction().default(1),
  }),
  z.strictObject({
    kind: z.literal('failure_rate'),
    atSec: z.number().min(0),
    seller: z.string(),
    rate: fraction(),
  }),
]);

export const scenarioSchema = z.strictObject({
  name: name(),
  description: z.string().default(''),
  seed: z
    .union([z.number().int(), z.string()], { error: 'expected an integer or a text seed, e.g. 1 or "run-a"' })
    .default(1),
  durationSec: durationSec(),
  /** After arrivals stop, tasks in flight get this long to finish (at most `MAX_DURATION_SEC`). */
  drainSec: drainSec().default(120),
  network: networkSchema.default(networkSchema.parse({})),
  registry: z.strictObject({ searchLimit: searchLimit().default(5) }).default({ searchLimit: 5 }),
  sellers: z.array(sellerSchema).min(1, { error: 'expected at least one seller group' }),
  buyers: z.array(buyerSchema).default([]),
  resellers: z.array(resellerSchema).default([]),
  faults: z.array(faultSchema).default([]),
  /** The default sweep of this scenario (`sim sweep <scenario>` without --grid): dotted paths to lists of values. */
  sweep: z
    .strictObject({
      grid: z.record(z.string(), z.array(z.unknown()).min(1, { error: 'expected at least one value' })),
      seeds: posInt().default(3),
    })
    .optional(),
});

/** A validated scenario with every default filled in. */
export type Scenario = z.infer<typeof scenarioSchema>;
export type SellerSpec = z.infer<typeof sellerSchema>;
export type BuyerSpec = z.infer<typeof buyerSchema>;
export type ResellerSpec = z.infer<typeof resellerSchema>;
export type TaskTypeSpec = z.infer<typeof taskTypeSchema>;
export type FaultSpec = z.infer<typeof faultSchema>;
export type ArrivalsSpec = z.infer<typeof arrivalsSchema>;
export type ValueSpec = z.infer<typeof valueSchema>;
export type LatencySpec = z.infer<typeof latencySchema>;
export type NetworkSpec = z.infer<typeof networkSchema>;
