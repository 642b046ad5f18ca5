import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import type { Rng } from '../../../infra/random.js';
import type { Clock } from '../../../infra/time/clock.js';
import { createLlmDecider } from './llm.js';
import { bestValueDecider, cheapestDecider, firstAcceptableDecider, randomDecider } from './rules.js';
import { thompsonDecider } from './thompson.js';
import { type Decider } from './types.js';
import { LabError } from '../../../infra/errors.js';
import { describeIssues, plainErrorMap } from '../../../infra/zod-wording.js';

/** A reservation rule: a price ceiling or a surplus (value - price) floor, in msat. */
const reservationSchema = z.union(
  [
    z.strictObject({ maxPriceMsat: z.number().int().min(0) }),
    z.strictObject({ minSurplusMsat: z.number().int().min(0) }),
  ],
  { error: 'expected { maxPriceMsat } or { minSurplusMsat } (integer msat)' },
);

/** A decider declared by name (scenario files): rules, or `llm` with an optional fallback. */
export const deciderSpecSchema = z.discriminatedUnion('name', [
  z.object({ name: z.literal('cheapest') }).strict(),
  z.object({ name: z.literal('best_value') }).strict(),
  z
    .object({
      name: z.literal('first_acceptable'),
      /** The order offers are read in: the registry's (default) or the quotes' arrival. */
      order: z.enum(['arrival', 'registry'], { error: 'expected arrival | registry' }).optional(),
      /** Besides price <= value: a price ceiling or a surplus (value - price) floor, in msat. */
      reservation: reservationSchema.optional(),
    })
    .strict(),
  z.object({ name: z.literal('random') }).strict(),
  z
    .object({
      name: z.literal('llm'),
      onInvalid: z.enum(['cheapest', 'none']).optional(),
      /** With streamed quotes: stop the stream at the first offer meeting it, and let the model choose among those in. */
      reservation: reservationSchema.optional(),
    })
    .strict(),
  z
    .object({
      name: z.literal('thompson'),
      prior: z
        .object({ successes: z.number().positive(), failures: z.number().positive() })
        .strict()
        .optional(),
      ratingWeight: z.number().min(0).optional(),
    })
    .strict(),
]);

/** A decider declaration. */
export type DeciderSpec = z.infer<typeof deciderSpecSchema>;

/** What deciders may need: the clock (LLM latency), a seeded stream (random, thompson), a model or environment (llm). */
export interface DeciderDeps {
  clock: Clock;
  rng?: Rng;
  model?: BaseChatModel;
  env?: Record<string, string | undefined>;
}

/**
 * Builds a decider from its declaration (or just its name). Throws
 * a LabError: 'invalid_decider_spec', or 'missing_api_key' for `llm`
 * without a model and without OPENAI_API_KEY.
 */
export function createDecider(spec: DeciderSpec | DeciderSpec['name'], deps: DeciderDeps): Decider {
  const parsed = deciderSpecSchema.safeParse(typeof spec === 'string' ? { name: spec } : spec, {
    error: plainErrorMap,
  });
  if (!parsed.success)
    throw new LabError(
      'invalid_decider_spec',
      `invalid decider spec: ${describeIssues(parsed.error.issues)}`,
    );
  const s = parsed.data;
  switch (s.name) {
    case 'cheapest':
      return cheapestDecider();
    case 'best_value':
      return bestValueDecider();
    case 'first_acceptable':
      return firstAcceptableDecider({
        ...(s.order && { order: s.order }),
        ...(s.reservation && { reservation: s.reservation }),
      });
    case 'random':
      if (!deps.rng) throw new LabError('invalid_decider_spec', 'the random decider needs deps.rng (seeded)');
      return randomDecider(deps.rng);
    case 'thompson':
      if (!deps.rng)
        throw new LabError('invalid_decider_spec', 'the thompson decider needs deps.rng (seeded)');
      return thompsonDecider(deps.rng, {
        ...(s.prior && { prior: s.prior }),
        ...(s.ratingWeight !== undefined && { ratingWeight: s.ratingWeight }),
      });
    case 'llm':
      return createLlmDecider({
        clock: deps.clock,
        model: deps.model,
        env: deps.env,
        onInvalid: s.onInvalid,
        ...(s.reservation && { reservation: s.reservation }),
      });
  }
}
