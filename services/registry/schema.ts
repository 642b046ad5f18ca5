import { z } from 'zod';
import { listingText, listingUrl } from './listing-text.js';
import type { ListingQuery } from './types.js';

/**
 * Wire schemas for the registry's HTTP API. All objects are strict: an
 * unknown field is a 400, not silently stored (it might be a typo of a field
 * the sender believes is signed).
 */

const msat = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes}-byte lowercase hex`);

/** A capability or category token: short, printable, no separators that clash with caveat syntax. */
const token = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, _ . : - only');

const pubkey = z.string().regex(/^0[23][0-9a-f]{64}$/, '33-byte compressed public key, lowercase hex');

/** A tier's advertised price as a registration takes it: at least 1 msat, since no paywall sells a call for 0. */
const tierPrice = z
  .number()
  .int()
  .min(1, 'expected at least 1 msat: no paywall sells a call for 0')
  .max(Number.MAX_SAFE_INTEGER);

/** One advertised tier, priced by `price`; the kind decides which of calls/durationSec must be present. */
function tierOf(price: z.ZodNumber) {
  return z
    .strictObject({
      tier: z.number().int().min(0).max(255),
      name: listingText(1, 64),
      kind: z.enum(['single', 'bundle', 'pass']),
      calls: z.number().int().positive().max(1_000_000).optional(),
      durationSec: z
        .number()
        .int()
        .positive()
        .max(10 * 365 * 86_400)
        .optional(),
      priceMsat: price,
    })
    .superRefine((t, ctx) => {
      if (t.kind === 'bundle' && (t.calls === undefined || t.calls < 2))
        ctx.addIssue({ code: 'custom', message: 'a bundle tier needs calls >= 2', path: ['calls'] });
      if (t.kind === 'single' && t.calls !== undefined && t.calls !== 1)
        ctx.addIssue({ code: 'custom', message: 'a single tier grants exactly 1 call', path: ['calls'] });
      if (t.kind === 'pass' && t.durationSec === undefined)
        ctx.addIssue({ code: 'custom', message: 'a pass tier needs durationSec', path: ['durationSec'] });
    });
}

/** One advertised tier as a registration takes it. */
export const tierSchema = tierOf(tierPrice);

const listingFieldsShape = {
  name: listingText(1, 100),
  url: listingUrl,
  category: token,
  capabilities: z.array(token).max(32),
  tiers: z.array(tierSchema).min(1).max(16),
  nodePubkey: pubkey,
  description: listingText(0, 1000).optional(),
  quality: z.number().min(0).max(1).optional(),
};

function tiersOnce(l: { tiers: { tier: number }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<number>();
  for (const t of l.tiers) {
    if (seen.has(t.tier))
      ctx.addIssue({ code: 'custom', message: `tier ${t.tier} listed twice`, path: ['tiers'] });
    seen.add(t.tier);
  }
}

/** The fields a seller signs. */
export const listingFieldsSchema = z.strictObject(listingFieldsShape).superRefine(tiersOnce);

const time = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A listing's rating as a registry serves it (an average 1–5, exact integers). */
export const servedRatingSchema = z.object({
  average: z.number().min(1).max(5),
  count: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  paidMsat: msat,
});

/**
 * A listing as a registry serves it (`GET /listings`), checked by the client
 * that reads it: the seller's fields as a registration would accept them
 * (a tier price of 0, which registrations took before, still read),
 * and bounded health and rating figures (they reach a buyer's decider and
 * its LLM prompt). Fields a newer registry adds are dropped.
 */
export const servedListingSchema = z
  .object({
    ...listingFieldsShape,
    // Any non-negative price: a listing registered before tiers had to cost 1 msat is still served.
    tiers: z.array(tierOf(msat)).min(1).max(16),
    id: hex(16),
    health: z
      .object({
        alive: z.boolean(),
        latencyMs: z.number().nonnegative().max(86_400_000).optional(),
        quotedPriceMsat: msat.optional(),
        error: z.string().max(200).optional(),
        checkedAt: time,
        failures: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      })
      .optional(),
    rating: servedRatingSchema.optional(),
    createdAt: time,
    updatedAt: time,
    signedAt: time,
  })
  .superRefine(tiersOnce);

/** `GET /listings`'s answer. */
export const searchAnswerSchema = z.object({ listings: z.array(servedListingSchema).max(1000) });

const signedAt = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const signature = z
  .string()
  .max(4096)
  .regex(
    /^([0-9a-f]{128}|[0-9a-f]{130}|ln[a-z0-9]+)$/,
    '64- or 65-byte signature in lowercase hex, or a BOLT11 attestation invoice',
  );

/** The origin of the registry a write is signed for (registry-origin.ts); the registry compares it with its own. */
const registry = z.string().min(1).max(2048).optional();

/** `POST /listings` and `PUT /listings/:id`. */
export const signedListingSchema = z.strictObject({
  listing: listingFieldsSchema,
  signedAt,
  signature,
  registry,
});

/** `DELETE /listings/:id`. */
export const signedRemovalSchema = z.strictObject({ signedAt, signature, registry });

/**
 * `POST /listings/:id/ratings`: proof of purchase is the paid invoice plus its
 * preimage, and the paying node signs the rating with the invoice.
 */
export const ratingSchema = z.strictObject({
  score: z.number().int().min(1).max(5),
  /** The BOLT11 invoice the rater paid (its signature names the payee). */
  invoice: z.string().min(1).max(8192),
  preimage: hex(32),
  payer: pubkey,
  signedAt,
  signature,
  /** Optional: when given it must match the invoice's payment hash. */
  paymentHash: hex(32).optional(),
  registry,
});

/** Query string of `GET /listings`, as strings in, typed out. */
export const querySchema = z.strictObject({
  capability: token.optional(),
  category: token.optional(),
  maxPriceMsat: z
    .string()
    .regex(/^\d{1,16}$/, 'a non-negative integer')
    .transform(Number)
    // The digits make it a non-negative integer: one bound, one message (`msat` would add int's own).
    .pipe(z.number().max(Number.MAX_SAFE_INTEGER))
    .optional(),
  alive: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  sort: z.enum(['price', 'rating', 'latency', 'random']).optional(),
  tier: z.enum(['single', 'bundle', 'pass', 'default']).optional(),
  sells: z.enum(['single', 'bundle', 'pass']).optional(),
  ties: z.enum(['id', 'random']).optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'an integer 1..1000')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1000))
    .optional(),
}) satisfies z.ZodType<ListingQuery, Record<string, string>>;

/** Listing ids are 32 hex chars (see `listingId`). */
export const listingIdSchema = hex(16);
