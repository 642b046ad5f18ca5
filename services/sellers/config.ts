import { z } from 'zod';
import { describeIssues, formatPath, plainErrorMap } from '../../infra/zod-wording.js';
import { LabError } from '../../infra/errors.js';
import { negotiationConfigSchema, perSecRateSchema } from './negotiation.js';
import { sellerConfigConflicts } from './config-conflicts.js';

export { sellerConfigConflicts } from './config-conflicts.js';
export { tierBasePrice, tierCalls, tierName, unitPriceMsat } from './tier-price.js';

/**
 * A seller's configuration, validated with zod (strict: a misspelt option is
 * an error, not a silent default). Scenario files and the seller CLI both
 * go through `parseSellerConfig`.
 */

const msat = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ms = z.number().nonnegative().max(3_600_000);

/** How the unit price is set: fixed, or rising with the requests in flight. */
export const priceStrategySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), msat }),
  z
    .strictObject({
      kind: z.literal('dynamic'),
      baseMsat: msat,
      /** Added per request in flight. */
      perLoadMsat: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      minMsat: msat,
      maxMsat: msat,
    })
    .refine((p) => p.minMsat <= p.baseMsat && p.baseMsat <= p.maxMsat, 'need minMsat <= baseMsat <= maxMsat'),
]);

/** Service time per call, drawn from the seller's seeded stream and slept on the clock. */
export const latencySchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fixed'), ms }),
  z
    .strictObject({ kind: z.literal('uniform'), minMs: ms, maxMs: ms })
    .refine((l) => l.minMs <= l.maxMs, 'need minMs <= maxMs'),
  z.strictObject({ kind: z.literal('lognormal'), medianMs: ms, sigma: z.number().nonnegative().max(5) }),
  z.strictObject({ kind: z.literal('exponential'), meanMs: ms }),
]);

/** A tier; `priceMsat` defaults from the unit price (see `tierBasePrice`). */
export const sellerTierSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('single'),
    name: z.string().min(1).max(64).optional(),
    priceMsat: msat.optional(),
  }),
  z.strictObject({
    kind: z.literal('bundle'),
    calls: z.number().int().min(2).max(1_000_000),
    name: z.string().min(1).max(64).optional(),
    priceMsat: msat.optional(),
  }),
  z.strictObject({
    kind: z.literal('pass'),
    durationSec: z
      .number()
      .int()
      .positive()
      .max(365 * 86_400),
    name: z.string().min(1).max(64).optional(),
    priceMsat: msat.optional(),
  }),
]);

/** Ways a seller cheats, for testing buyers' checks. */
export const adversarialSchema = z.discriminatedUnion('mode', [
  /** Invoices ask `factor` × the advertised price. */
  z.strictObject({ mode: z.literal('overcharge'), factor: z.number().min(1.01).max(1000).default(3) }),
  /** Invoices come from another node than the one the listing and manifest name (`deps.payeeNode`). */
  z.strictObject({ mode: z.literal('wrong-payee') }),
  /** Takes the payment, then answers 500 (`error`) or an empty 200 (`empty`). */
  z.strictObject({ mode: z.literal('no-delivery'), answer: z.enum(['error', 'empty']).default('error') }),
  /** Answers correctly but only after `delayMs` more. */
  z.strictObject({ mode: z.literal('slow'), delayMs: ms.default(30_000) }),
]);

/** The archetypes. */
export const ARCHETYPES = ['data-feed', 'compute', 'llm-summary'] as const;

/** The whole seller configuration. */
export const sellerConfigSchema = z.strictObject({
  archetype: z.enum(ARCHETYPES),
  /** Service name in caveats and the listing (default: the archetype). */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'lowercase letters, digits and - (max 48)')
    .optional(),
  description: z.string().max(1000, { error: 'expected at most 1000 characters' }).optional(),
  category: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,63}$/,
      'lowercase letters, digits and -, starting with a letter or digit (max 64)',
    )
    .optional(),
  quality: z.number().min(0).max(1).default(0.9),
  price: priceStrategySchema.default({ kind: 'fixed', msat: 10_000 }),
  tiers: z
    .array(sellerTierSchema)
    .min(1, { error: 'expected at least one tier' })
    .max(8, { error: 'expected at most 8 tiers' })
    .default([{ kind: 'single' }]),
  /** Lifetime of single/bundle tokens (pass tokens live `durationSec`). */
  tokenLifetimeSec: z
    .number()
    .int()
    .positive()
    .max(365 * 86_400)
    .default(86_400),
  /** Probability that a paid call fails with 500 (seeded). */
  failureRate: z.number().min(0).max(1).default(0),
  latency: latencySchema.optional(),
  /** Time to quote: drawn per 402 challenge and slept before it is sent (default: none, quotes answer at once). */
  quoteLatency: latencySchema.optional(),
  /** Concurrent calls served; beyond it, 503 with Retry-After (default: compute 4, others unlimited). */
  capacity: z
    .number()
    .int()
    .positive()
    .max(100_000, { error: 'expected at most 100,000 concurrent calls' })
    .optional(),
  payOnSuccess: z.boolean().default(false),
  strict: z.boolean().default(false),
  /** `calls` per `perMs` ms, all buyers together (the paywall's `rateLimit`). */
  rateLimit: z
    .strictObject({
      calls: z.number().int().positive(),
      perMs: z.number().min(1, { error: 'expected at least 1 ms: the clock counts whole milliseconds' }),
    })
    .optional(),
  /** Most calls each `max_calls` quota of a token gets back when the handler answers 5xx (default: as many as it holds; 0: none). */
  maxCallsGivenBack: z.number().int().nonnegative().optional(),
  /** With payOnSuccess: most pay-on-success calls refunded after the handler ran, all buyers together (default 60 a minute). */
  holdRefundRate: perSecRateSchema.optional(),
  /** Answer buyers' bids (`L402-Bid`) below the posted price with the rule negotiator, down to a floor. */
  negotiation: negotiationConfigSchema.optional(),
  adversarial: adversarialSchema.optional(),
});

/** A validated seller configuration (defaults applied). */
export type SellerConfig = z.output<typeof sellerConfigSchema>;
/** What a caller writes (defaults optional). */
export type SellerConfigInput = z.input<typeof sellerConfigSchema>;
export type SellerTier = z.output<typeof sellerTierSchema>;
export type PriceStrategy = z.output<typeof priceStrategySchema>;
export type LatencySpec = z.output<typeof latencySchema>;

/**
 * Validates a configuration (from a scenario file, a CLI, code). Throws
 * LabError('invalid_seller_config') naming each bad field as written; `names`
 * renames the fields a caller set under another name (a CLI's flags:
 * `{ maxCallsGivenBack: '--max-calls-given-back' }`), where and in the message.
 */
export function parseSellerConfig(
  input: unknown,
  names: Readonly<Record<string, string>> = {},
): SellerConfig {
  const r = sellerConfigSchema.safeParse(input, { error: plainErrorMap });
  const rename = renamer(names);
  if (!r.success)
    throw invalid(
      describeIssues(
        r.error.issues.map((i) => {
          const named = rename(formatPath(i.path), i.message);
          return { ...i, path: [named.path], message: named.message };
        }),
      ),
    );
  const conflicts = sellerConfigConflicts(r.data).map((c) => rename(c.path, c.message));
  if (conflicts.length) throw invalid(conflicts.map((c) => `${c.path}: ${c.message}`).join('; '));
  return r.data;
}

/**
 * An issue named by `names`: at a renamed field (or inside it), its new name; in the message, a
 * renamed field written as a key (`maxCallsGivenBack`, `price.msat`, not a plain word like `name`).
 */
function renamer(names: Readonly<Record<string, string>>) {
  const renamed = Object.entries(names);
  return (path: string, message: string): { path: string; message: string } => {
    for (const [field, name] of renamed)
      if (/[.A-Z]/.test(field)) message = message.replace(asWord(field), name);
    for (const [field, name] of renamed)
      if (path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`))
        return { path: name + path.slice(field.length), message };
    return { path, message };
  };
}

/** `field` as a word of its own in a message (not inside `tiers[0].priceMsat` or `minMaxCallsGivenBack`). */
const asWord = (field: string) => new RegExp(`(?<![\\w.])${field.replace(/\./g, '\\.')}(?![\\w])`, 'g');

const invalid = (what: string) => new LabError('invalid_seller_config', `invalid seller config: ${what}`);
