import { z } from 'zod';
import type { Clock } from '../../infra/time/clock.js';
import { allOf } from './all-of.js';
import type { BudgetBook } from './budget-book.js';
import { budgetWindow, categoryCap, serviceCap, type BudgetWindow } from './budgets.js';
import { WINDOW_MS } from './ledger.js';
import { allowlist, denylist } from './lists.js';
import { allowAll, escalateAbove, maxPerRequest, valueBased } from './request-rules.js';
import { type PaymentPolicy } from './types.js';
import { LabError } from '../../infra/errors.js';
import { describeIssues, plainErrorMap } from '../../infra/zod-wording.js';

const msat = z.int().min(0, 'must be a non-negative integer number of msat');
const windowName = z.enum(['minute', 'hour', 'day', 'week']);
const windowSpec = z.union([windowName, z.object({ ms: z.int().positive() }).strict()], {
  error: 'expected minute | hour | day | week, or { ms: <a positive integer> }',
});
const align = z.enum(['rolling', 'calendar']);
const strings = z.array(z.string().min(1));
const listParams = z
  .object({ services: strings, payees: strings, hosts: strings, categories: strings })
  .partial()
  .strict()
  // An allowlist of nothing allowed every seller: a list names at least one field.
  .refine((p) => Object.keys(p).length > 0, 'lists nothing: give services, payees, hosts or categories');
const capParams = z
  .object({
    limits: z.record(z.string(), msat),
    defaultMsat: msat.optional(),
    window: windowSpec.optional(),
    align: align.optional(),
  })
  .strict()
  .refine((p) => p.align === undefined || p.window !== undefined, {
    message: 'align needs a window: without one the cap is for all time',
    path: ['align'],
  })
  .refine((p) => Object.keys(p.limits).length > 0 || p.defaultMsat !== undefined, {
    message: 'no limits and no defaultMsat: the cap would refuse every offer',
    path: ['limits'],
  });

/** A time window by name or length. */
export type WindowSpec = z.infer<typeof windowSpec>;

/** A policy declared by name and parameters (scenario files, CLI flags). */
export type PolicySpec =
  | { name: 'allow_all'; params?: Record<string, never> }
  | { name: 'max_per_request'; params: { maxMsat: number; includeFee?: boolean } }
  | { name: 'escalate_above'; params: { thresholdMsat: number } }
  | {
      name: 'value_based';
      params?: { marginMsat?: number; marginPpm?: number; whenUnknown?: 'allow' | 'deny' | 'escalate' };
    }
  | {
      name: 'budget_window';
      params: { limitMsat: number; window?: WindowSpec; align?: 'rolling' | 'calendar' };
    }
  | { name: 'service_cap' | 'category_cap'; params: z.infer<typeof capParams> }
  | { name: 'allowlist' | 'denylist'; params: z.infer<typeof listParams> }
  | { name: 'all_of'; params: { policies: PolicySpec[] } };

/** The zod schema of `PolicySpec`, for embedding in scenario schemas. */
export const policySpecSchema: z.ZodType<PolicySpec> = z.lazy(() =>
  z.discriminatedUnion('name', [
    z.object({ name: z.literal('allow_all'), params: z.object({}).strict().optional() }).strict(),
    z
      .object({
        name: z.literal('max_per_request'),
        params: z.object({ maxMsat: msat, includeFee: z.boolean().optional() }).strict(),
      })
      .strict(),
    z
      .object({ name: z.literal('escalate_above'), params: z.object({ thresholdMsat: msat }).strict() })
      .strict(),
    z
      .object({
        name: z.literal('value_based'),
        params: z
          .object({
            marginMsat: msat,
            marginPpm: z.int().min(0),
            whenUnknown: z.enum(['allow', 'deny', 'escalate']),
          })
          .partial()
          .strict()
          .optional(),
      })
      .strict(),
    z
      .object({
        name: z.literal('budget_window'),
        params: z
          .object({ limitMsat: msat, window: windowSpec.optional(), align: align.optional() })
          .strict(),
      })
      .strict(),
    z.object({ name: z.literal('service_cap'), params: capParams }).strict(),
    z.object({ name: z.literal('category_cap'), params: capParams }).strict(),
    z.object({ name: z.literal('allowlist'), params: listParams }).strict(),
    z.object({ name: z.literal('denylist'), params: listParams }).strict(),
    z
      .object({
        name: z.literal('all_of'),
        params: z.object({ policies: z.array(policySpecSchema).min(1) }).strict(),
      })
      .strict(),
  ]),
);

/** Dependencies a policy may need: budgets read the clock when a payment settles, and keep spends in `book` when given. */
export interface PolicyDeps {
  clock: Clock;
  /** Where budgets keep their spends across restarts (`FileBudgetBook`); in memory only without it. */
  book?: BudgetBook;
}

function toWindow(w: WindowSpec | undefined, a: 'rolling' | 'calendar' | undefined): BudgetWindow {
  if (w === undefined) return {};
  return { windowMs: typeof w === 'string' ? WINDOW_MS[w] : w.ms, align: a };
}

/**
 * Builds a policy from its declaration. Validates first and throws a
 * `LabError` ('invalid_policy_spec') naming each bad field as it is
 * written (`params.policies[0].params.limitMsat`) and what it expects, in
 * the plain words scenario files get (`expected a number, got "lots"`):
 * the first five, then `; and N more` (`describeIssues`).
 *
 * @example
 * const policy = createPolicy(
 *   { name: 'all_of', params: { policies: [
 *     { name: 'max_per_request', params: { maxMsat: 50_000 } },
 *     { name: 'budget_window', params: { limitMsat: 1_000_000, window: 'day' } },
 *   ] } },
 *   { clock },
 * );
 */
export function createPolicy(spec: unknown, deps: PolicyDeps): PaymentPolicy {
  const parsed = policySpecSchema.safeParse(spec, { error: plainErrorMap });
  if (!parsed.success)
    throw new LabError('invalid_policy_spec', `invalid policy spec: ${describeIssues(parsed.error.issues)}`, {
      cause: parsed.error,
    });
  return build(parsed.data, deps, '');
}

/** `at`: where the policy sits in the declaration (`all_of[1].`), naming its budget book entries. */
function build(spec: PolicySpec, deps: PolicyDeps, at: string): PaymentPolicy {
  const budgetDeps = { ...deps, bookPrefix: at };
  switch (spec.name) {
    case 'allow_all':
      return allowAll();
    case 'max_per_request':
      return maxPerRequest(spec.params);
    case 'escalate_above':
      return escalateAbove(spec.params);
    case 'value_based':
      return valueBased(spec.params ?? {});
    case 'budget_window': {
      const { limitMsat, window = 'day', align: al } = spec.params;
      return budgetWindow({ limitMsat, ...toWindow(window, al) }, budgetDeps);
    }
    case 'service_cap':
    case 'category_cap': {
      const { limits, defaultMsat, window, align: al } = spec.params;
      const make = spec.name === 'service_cap' ? serviceCap : categoryCap;
      return make({ limits, defaultMsat, ...toWindow(window, al) }, budgetDeps);
    }
    case 'allowlist':
      return allowlist(spec.params);
    case 'denylist':
      return denylist(spec.params);
    case 'all_of':
      return allOf(spec.params.policies.map((p, i) => build(p, deps, `${at}all_of[${i}].`)));
  }
}
