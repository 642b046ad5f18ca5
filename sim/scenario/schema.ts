import { z } from 'zod';
import {
  ARCHETYPES,
  adversarialSchema,
  latencySchema as sellerLatencySchema,
  priceStrategySchema,
  sellerTierSchema,
} from '../../services/sellers/config.js';
import { pricingStrategySchema } from '../../services/sellers/pricing.js';
import { deciderSpecSchema } from '../../agents/buyer/deciders/spec.js';
import { channelClassesSchema, paymentsSchema } from './network-schema.js';
import { buyerNegotiatorSchema, sellerNegotiationSchema } from './negotiation-schema.js';

/**
 * The scenario file format: one YAML document describing a whole market.
 * Amounts are integer msat, times are seconds of (virtual) time. Every field
 * a user may get wrong carries a message that names what was expected, so a
 * bad file fails with `path: reason` before anything runs.
 */

const posInt = (what = 'a positive integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });
const nonNegInt = (what = 'a non-negative integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` });
const msat = () =>
  nonNegInt('a non-negative integer number of msat').max(Number.MAX_SAFE_INTEGER, {
    error: 'expected a safe integer number of msat',
  });
const positiveNumber = (what = 'a positive number') =>
  z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
const fraction = () =>
  z
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, { error: 'expected a number between 0 and 1' })
    .max(1, {
      error: 'expected a number between 0 and 1',
    });
const name = () =>
  z
    .string({ error: 'expected a name' })
    .regex(/^[a-z][a-z0-9-]*$/, { error: 'expected a lowercase name of letters, digits and dashes' });

/** A latency distribution in ms: a constant, or a normal draw clipped at 0. */
export const latencySchema = z.union(
  [
    nonNegInt('a non-negative integer number of ms'),
    z.strictObject({ meanMs: nonNegInt(), sdMs: nonNegInt().default(0) }),
  ],
  { error: 'expected a number of ms or { meanMs, sdMs }' },
);

/** A value distribution in msat (what finishing one task is worth to a buyer). */
export const valueSchema = z.discriminatedUnion(
  'dist',
  [
    z.strictObject({ dist: z.literal('fixed'), msat: msat() }),
    z.strictObject({ dist: z.literal('uniform'), minMsat: msat(), maxMsat: msat() }),
    z.strictObject({ dist: z.literal('normal'), meanMsat: msat(), sdMsat: msat() }),
  ],
  { error: 'expected dist: fixed | uniform | normal' },
);

/** The capability each seller archetype sells (fixed by services/sellers; a test keeps this in step). */
export const ARCHETYPE_CAPABILITY = {
  'data-feed': 'anomalies:read',
  compute: 'compute:stats',
  'llm-summary': 'text:summarize',
} as const;

/**
 * A group of `count` identical sellers (named `<name>-0`, `<name>-1`, …).
 * Price, tiers, latency and adversarial modes use the sellers' own
 * configuration format (services/sellers/config.ts), checked here.
 */
export const sellerSchema = z.strictObject({
  name: name().max(40, { error: 'expected at most 40 characters' }),
  count: posInt().default(1),
  archetype: z.enum(ARCHETYPES, { error: 'expected one of data-feed | compute | llm-summary' }),
  category: z.string().optional(),
  description: z.string().optional(),
  quality: fraction().default(0.9),
  price: priceStrategySchema,
  tiers: z
    .array(sellerTierSchema)
    .min(1, { error: 'expected at least one tier' })
    .default([{ kind: 'single' }]),
  latency: sellerLatencySchema.optional(),
  /** Time to quote: drawn per 402 challenge and slept (virtual time) before it is sent. */
  quoteLatency: sellerLatencySchema.optional(),
  capacity: posInt().optional(),
  failureRate: fraction().default(0),
  /** What serving one delivered call costs the seller (msat): seller profit is revenue minus this. */
  costMsat: msat().default(0),
  payOnSuccess: z.boolean().default(false),
  adversarial: adversarialSchema.optional(),
  /** Repricing while the market runs: undercut competitors' listed prices, or follow demand (needs a fixed price). */
  pricing: pricingStrategySchema.optional(),
  /** Upstream purchases made for every paid call served: an agent that buys, adds value and sells on. */
  upstream: z
    .array(
      z.strictObject({ capability: z.string(), calls: posInt().default(1), maxPriceMsat: msat().optional() }),
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

/** Arrival process for a buyer's tasks. */
export const arrivalsSchema = z.discriminatedUnion(
  'process',
  [
    z.strictObject({ process: z.literal('poisson'), ratePerMin: positiveNumber() }),
    z.strictObject({
      process: z.literal('fixed'),
      everySec: positiveNumber(),
      offsetSec: z.number().min(0).default(0),
    }),
  ],
  { error: 'expected process: poisson | fixed' },
);

/** One kind of task a buyer may draw. */
export const taskTypeSchema = z.strictObject({
  capability: z.string({ error: 'expected a capability such as anomalies:read' }),
  weight: positiveNumber().default(1),
  calls: posInt().default(1),
  value: valueSchema,
  category: z.string().optional(),
});

/** A payment policy by name and parameters; the parameters are checked against the agents' policy schema. */
export const policyRefSchema = z.strictObject({
  name: z.string({ error: 'expected a policy name' }),
  params: z.record(z.string(), z.unknown()).default({}),
});

/** A group of `count` identical buyers. */
export const buyerSchema = z.strictObject({
  name: name(),
  count: posInt().default(1),
  /** How the buyer picks among quotes: cheapest | best_value | first_acceptable | random | llm | thompson (learns). */
  decider: deciderSpecSchema.default({ name: 'cheapest' }),
  policy: policyRefSchema,
  /** What the buyer may spend over the whole run (the policy enforces it too). */
  budgetMsat: msat(),
  /** Lightning balance opened toward the hub; defaults to budget + 10% for fees. */
  balanceMsat: msat().optional(),
  arrivals: arrivalsSchema,
  tasks: z.array(taskTypeSchema).min(1, { error: 'expected at least one task type' }),
  /** Bid with sellers that negotiate (absent or `none`: pay posted prices). */
  negotiator: buyerNegotiatorSchema.optional(),
  /** After each task, post a proven rating (5 delivered, 1 paid and failed) of every seller paid. */
  rateSellers: z.boolean({ error: 'expected true or false' }).optional(),
  /** Preferred tier kind when a seller offers several. */
  prefer: z.enum(['single', 'bundle', 'pass']).default('single'),
  /** How the registry orders the sellers found (absent: by price, ties by listing id). */
  search: z
    .strictObject({
      sort: z.enum(['price', 'latency', 'rating', 'random'], {
        error: 'expected price | latency | rating | random',
      }),
      ties: z.enum(['id', 'random'], { error: 'expected id | random' }).optional(),
    })
    .optional(),
  /** How quotes are collected (absent: all, every quote awaited before deciding). */
  quoting: z
    .discriminatedUnion(
      'mode',
      [
        z.strictObject({ mode: z.literal('all') }),
        z.strictObject({
          mode: z.literal('stream'),
          /** Most time the buyer waits for quotes, in seconds. */
          timeoutSec: positiveNumber(),
          /** Offers after which the buyer stops waiting for more. */
          maxQuotes: posInt().optional(),
        }),
      ],
      { error: 'expected mode: all | stream' },
    )
    .optional(),
});

/** A reseller buys bundles and sells slices (attenuated tokens) to its own sub-agents. */
export const resellerSchema = z.strictObject({
  name: name(),
  count: posInt().default(1),
  capability: z.string({ error: 'expected a capability such as anomalies:read' }),
  /** Markup over the per-call price of the bundle, in parts per million. */
  markupPpm: nonNegInt().default(200_000),
  sliceCalls: posInt().default(1),
  balanceMsat: msat(),
  subAgents: z.strictObject({
    count: posInt(),
    budgetMsat: msat(),
    arrivals: arrivalsSchema,
    value: valueSchema,
  }),
});

export const topologySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('hub_and_spoke'), hubs: posInt().default(1) }),
    z.strictObject({ kind: z.literal('ring'), routers: posInt().default(4) }),
    z.strictObject({
      kind: z.literal('scale_free'),
      routers: posInt().default(8),
      edgesPerNode: posInt().default(2),
    }),
  ],
  { error: 'expected kind: hub_and_spoke | ring | scale_free' },
);

/** The embedded Lightning network, or a file describing a real one. */
export const networkSchema = z.strictObject({
  topology: topologySchema.default({ kind: 'hub_and_spoke', hubs: 1 }),
  /** Capacity of each router-to-router channel. */
  routerChannelMsat: msat().default(10_000_000_000),
  /** Capacity of a seller's channel from its router (the router pushes nothing: sellers start empty). */
  sellerChannelMsat: msat().default(1_000_000_000),
  baseFeeMsat: msat().default(100),
  feeRatePpm: nonNegInt().default(1000),
  hopLatency: latencySchema.default(10),
  /** A network description file: SimLN sim_network JSON (embedded: its nodes are the routers), or the regtest network.json. */
  file: z.string().optional(),
  // Network realism (sim/scenario/network-schema.ts); absent fields leave the network as above.
  /** Capacity, balance split and fee distributions per channel class. */
  channels: channelClassesSchema.optional(),
  /** How agents pick their router: in turn (default), or with probability proportional to its channel count. */
  attach: z.enum(['round_robin', 'degree'], { error: 'expected round_robin | degree' }).optional(),
  /** Multi-part payments, failures unrelated to liquidity, attempts, the buyers' fee ceiling. */
  payments: paymentsSchema.optional(),
  /**
   * 'unsigned' (embedded only): BOLT11 invoices carry no signature and buyers accept that, for large
   * runs where nobody outside the process could check one; summary.json records it. Default: signed.
   */
  invoices: z.enum(['signed', 'unsigned'], { error: 'expected signed | unsigned' }).optional(),
});

export const faultSchema = z.discriminatedUnion(
  'kind',
  [
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
  ],
  { error: 'expected kind: node_offline | drain_channel | failure_rate' },
);

export const scenarioSchema = z.strictObject({
  name: name(),
  description: z.string().default(''),
  seed: z.union([z.number().int(), z.string()]).default(1),
  durationSec: positiveNumber(),
  /** After arrivals stop, tasks in flight get this long to finish. */
  drainSec: z.number().min(0).default(120),
  network: networkSchema.default(networkSchema.parse({})),
  registry: z.strictObject({ searchLimit: posInt().default(5) }).default({ searchLimit: 5 }),
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
