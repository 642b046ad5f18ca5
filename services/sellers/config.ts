import { z } from 'zod';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';
import { LabError } from '../../infra/errors.js';
import { negotiationConfigSchema, perSecRateSchema } from './negotiation.js';

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
  rateLimit: z.strictObject({ calls: z.number().int().positive(), perMs: z.number().positive() }).optional(),
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

/** Validates a configuration (from a scenario file, a CLI, code). Throws LabError('invalid_seller_config'). */
export function parseSellerConfig(input: unknown): SellerConfig {
  const r = sellerConfigSchema.safeParse(input, { error: plainErrorMap });
  if (!r.success) throw invalid(describeIssues(r.error.issues));
  const conflicts = sellerConfigConflicts(r.data);
  if (conflicts.length) throw invalid(conflicts.map((c) => `${c.path}: ${c.message}`).join('; '));
  return r.data;
}

const invalid = (what: string) => new LabError('invalid_seller_config', `invalid seller config: ${what}`);

/** The fields `sellerConfigConflicts` reads (a scenario's seller group has them too). */
type ConflictFields = Pick<
  SellerConfig,
  'payOnSuccess' | 'holdRefundRate' | 'maxCallsGivenBack' | 'adversarial' | 'tiers'
>;

/** Fields each valid alone that contradict each other: the field to edit (as written) and why. */
export function sellerConfigConflicts(c: ConflictFields): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (c.holdRefundRate && !c.payOnSuccess)
    out.push({
      path: 'holdRefundRate',
      message: 'holdRefundRate needs payOnSuccess: true (it bounds refunds of pay-on-success calls)',
    });
  if (c.maxCallsGivenBack && c.adversarial?.mode === 'no-delivery')
    out.push({
      path: 'maxCallsGivenBack',
      message: 'a no-delivery seller gives no call back; drop maxCallsGivenBack or the adversarial mode',
    });
  else if (c.maxCallsGivenBack && c.maxCallsGivenBack > mostQuotaCalls(c.tiers))
    out.push({ path: 'maxCallsGivenBack', message: overQuota(mostQuotaCalls(c.tiers)) });
  return out;
}

/** The most calls a token of these tiers holds in its quota (0: passes only, no quota). */
function mostQuotaCalls(tiers: SellerTier[]): number {
  return Math.max(0, ...tiers.map((t) => (t.kind === 'pass' ? 0 : tierCalls(t))));
}

/** Why a `maxCallsGivenBack` above every quota is refused. */
function overQuota(most: number): string {
  if (most === 0)
    return 'this seller sells only passes, whose tokens have no call quota to give calls back to; drop maxCallsGivenBack';
  return `expected at most ${most}, the most calls a token of this seller holds (a quota never gets back more calls than it holds)`;
}

/** The advertised unit price: the fixed price, or the dynamic base. */
export function unitPriceMsat(p: PriceStrategy): number {
  return p.kind === 'fixed' ? p.msat : p.baseMsat;
}

/**
 * A tier's advertised price: its own `priceMsat`, or from the unit price —
 * single = unit, bundle = 80% of calls × unit, pass = unit per minute of
 * duration (a call a minute at full price).
 */
export function tierBasePrice(t: SellerTier, unitMsat: number): number {
  if (t.priceMsat !== undefined) return t.priceMsat;
  if (t.kind === 'bundle') return Math.max(1, Math.floor((unitMsat * t.calls * 4) / 5));
  return unitMsat * tierCalls(t);
}

/**
 * How many calls a tier's price is for: 1, a bundle's calls, or a pass's minutes (a pass is priced as
 * a call a minute). A negotiation floor per call holds for a tier at this many times the floor.
 */
export function tierCalls(t: SellerTier): number {
  if (t.kind === 'single') return 1;
  if (t.kind === 'bundle') return t.calls;
  return Math.max(1, Math.ceil(t.durationSec / 60));
}

/** A tier's default display name. */
export function tierName(t: SellerTier): string {
  if (t.name) return t.name;
  if (t.kind === 'single') return 'single call';
  if (t.kind === 'bundle') return `${t.calls}-call bundle`;
  return `${t.durationSec}-second pass`;
}
