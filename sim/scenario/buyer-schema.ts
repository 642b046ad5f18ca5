import { z } from 'zod';
import { deciderSpecSchema } from '../../agents/buyer/deciders/spec.js';
import { TASK_CREDITS } from '../../agents/buyer/credit.js';
import { msat, name, nonNegInt, posInt, positiveNumber, valueSchema } from './fields.js';
import { buyerNegotiatorSchema } from './negotiation-schema.js';
import { everySec, groupCount, ratePerMin, taskCalls, taskWeight } from './limits.js';

/** Arrival process for a buyer's tasks. */
export const arrivalsSchema = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson'), ratePerMin: ratePerMin() }),
  z.strictObject({
    process: z.literal('fixed'),
    everySec: everySec(),
    offsetSec: z.number().min(0).default(0),
  }),
]);

/** One kind of task a buyer may draw. */
export const taskTypeSchema = z.strictObject({
  capability: z.string({ error: 'expected a capability such as anomalies:read' }),
  weight: taskWeight().default(1),
  calls: taskCalls().default(1),
  value: valueSchema,
  /** How an unfinished task is credited: per_call (absent: its value's share for the calls done) | all_or_nothing. */
  credit: z.enum(TASK_CREDITS).optional(),
  category: z.string().optional(),
});

/** A payment policy by name and parameters; the parameters are checked against the agents' policy schema. */
export const policyRefSchema = z.strictObject({
  name: z.string({ error: 'expected a policy name' }),
  params: z.record(z.string(), z.unknown()).default({}),
});

/**
 * The Lightning balance of a buyer (or sub-agent) that names none: its
 * budget + 10% for routing fees, rounded up, in integer arithmetic.
 */
export function defaultBalanceMsat(budgetMsat: number): number {
  return budgetMsat + Math.ceil(budgetMsat / 10);
}

/** A group of `count` identical buyers. */
export const buyerSchema = z.strictObject({
  name: name(),
  count: groupCount().default(1),
  /** How the buyer picks among quotes: cheapest | best_value | first_acceptable | random | llm | thompson (learns). */
  decider: deciderSpecSchema.default({ name: 'cheapest' }),
  policy: policyRefSchema,
  /** What the buyer may spend over the whole run (the policy enforces it too). */
  budgetMsat: msat(),
  /** Lightning balance opened toward the hub; defaults to budget + 10% for fees (`defaultBalanceMsat`). */
  balanceMsat: msat().optional(),
  arrivals: arrivalsSchema,
  tasks: z.array(taskTypeSchema).min(1, { error: 'expected at least one task type' }),
  /** Bid with sellers that negotiate (absent or `none`: pay posted prices). */
  negotiator: buyerNegotiatorSchema.optional(),
  /** After each task, post a proven rating (5 delivered, 1 paid and failed) of every seller paid. */
  rateSellers: z.boolean({ error: 'expected true or false' }).optional(),
  /**
   * The tier kind to buy when a seller sells several: each seller whose listing advertises a tier of
   * this kind is asked for the first such tier (`L402-Tier`), others for their default (first) tier.
   * Absent: every seller's default tier.
   */
  prefer: z.enum(['single', 'bundle', 'pass']).optional(),
  /** How the registry orders the sellers found (absent: by price, ties by listing id). */
  search: z
    .strictObject({
      sort: z.enum(['price', 'latency', 'rating', 'random']),
      ties: z.enum(['id', 'random']).optional(),
    })
    .optional(),
  /** How quotes are collected (absent: all, every quote awaited before deciding). */
  quoting: z
    .discriminatedUnion('mode', [
      z.strictObject({ mode: z.literal('all') }),
      z.strictObject({
        mode: z.literal('stream'),
        /** Most time the buyer waits for quotes, in seconds. */
        timeoutSec: positiveNumber(),
        /** Offers after which the buyer stops waiting for more. */
        maxQuotes: posInt().optional(),
      }),
    ])
    .optional(),
});

/** A reseller buys bundles and sells slices (attenuated tokens) to its own sub-agents. */
export const resellerSchema = z.strictObject({
  name: name(),
  count: groupCount().default(1),
  capability: z.string({ error: 'expected a capability such as anomalies:read' }),
  /** Markup over the per-call price of the bundle, in parts per million. */
  markupPpm: nonNegInt().default(200_000),
  sliceCalls: posInt().default(1),
  /**
   * Slices sold per bundle, at most as many as the cheapest bundle's calls
   * cover (validate refuses more); default that many.
   */
  slicesPerBundle: posInt().optional(),
  /**
   * A dishonest reseller for testing buyers' defences: sells slicesPerBundle
   * slices per bundle even when the bundle cannot serve them (needs
   * slicesPerBundle). The last slices of each bundle fail their buyers'
   * checks at the origin and end as `slice_refused`, unpaid.
   */
  oversell: z.boolean().optional(),
  /**
   * At most `slices` slices out unpaid (canceled after the buyer's check, or
   * never answered) per `windowSec`; beyond it the broker sells none until
   * the window has passed. Default 20 per 600 s.
   */
  creditLimit: z.strictObject({ slices: posInt(), windowSec: posInt() }).optional(),
  balanceMsat: msat(),
  subAgents: z.strictObject({
    count: groupCount(),
    budgetMsat: msat(),
    arrivals: arrivalsSchema,
    value: valueSchema,
  }),
});
