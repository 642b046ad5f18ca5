import { z } from 'zod';
import { STEPS } from './rows.js';
import type { NegotiationStats } from './negotiation.js';
import type { Summary } from './summary.js';

/**
 * summary.json's shape as a zod schema, with the values each field can take: the one check of a
 * run's summary, for reading it back (`sim report`, the replay) and for a sweep's reply from a
 * worker (sim/sweep/reply-schema.ts). A file or reply that is not one fails here with what is
 * wrong, field by field, instead of deep inside a chart or a mean. A count is a whole number of
 * at least 0, a rate in [0, 1] (null with nothing to measure), an amount whole msat (at least 0
 * when paid), a latency or spread at least 0; zod's numbers are finite, so NaN and ±∞ are
 * refused too. The annotation keeps it in step with `Summary`: a field added there and missing
 * here is a type error.
 */

const num = z.number();
/** A mean or quantile: null when there was nothing to measure. */
const measured = num.nullable();
/** A count: a whole number, at least 0. */
const count = z.number().int().min(0);
/** An amount: whole msat (a surplus, a profit or a margin may be below 0). */
const msat = z.number().int();
/** An amount paid: whole msat, at least 0. */
const paidMsat = count;
/** A rate over what was measured: in [0, 1], or null with nothing to measure. */
const rate = z.number().min(0).max(1).nullable();
/** A latency or a spread: at least 0, or null with nothing to measure. */
const nonNegative = z.number().min(0).nullable();

/** An object of `keys`, each a value of `type`. */
function fields<K extends string, T extends z.ZodType>(type: T, ...keys: K[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, type])) as Record<K, T>);
}

/** An object of number fields. */
function numbers<K extends string>(...keys: K[]) {
  return fields(num, ...keys);
}

/** An object of measured fields (number, or null with nothing to measure). */
function measures<K extends string>(...keys: K[]) {
  return fields(measured, ...keys);
}

const counts = z.record(z.string(), count);
const cdf = z.array(numbers('value', 'fraction'));
const percentiles = fields(count, 'count').extend(
  fields(nonNegative, 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max').shape,
);
const role = z.enum(['buyer', 'sub-agent', 'reseller', 'seller']);

const funnel = fields(
  count,
  'attempts',
  'quoteRejections',
  'policyDenials',
  'paymentsAttempted',
  'paymentsSucceeded',
  'paidCalls',
  'delivered',
  'paymentsForNothing',
  'tokenReuses',
  'tasks',
  'tasksDone',
  'tasksUnfinished',
).extend(
  fields(
    rate,
    'quoteRejectionRate',
    'policyDenialRate',
    'paymentSuccessRate',
    'deliveryRate',
    'tokenReuseRate',
    'taskCompletionRate',
  ).shape,
);

const welfare = fields(count, 'tasks', 'done')
  .extend(
    fields(
      msat,
      'valueMsat',
      'costMsat',
      'buyerSurplusMsat',
      'sellerRevenueMsat',
      'sellerUpstreamMsat',
      'sellerCostMsat',
      'sellerProfitMsat',
      'routingIncomeMsat',
      'totalMsat',
    ).shape,
  )
  .extend(measures('buyerSurplusPerTaskMsat').shape)
  .extend({ byStopReason: counts });

const group = funnel
  .extend(fields(paidMsat, 'spentMsat', 'feesMsat').shape)
  .extend({ surplusMsat: msat, surplusPerTaskMsat: measured })
  .extend(fields(nonNegative, 'latencyP50', 'latencyP95').shape)
  .extend({ role, latencyCdf: cdf });

/** What every version's negotiation entry holds: the counts and rates not about what was paid. */
const negotiationCounts = fields(count, 'negotiations', 'agreed', 'noAgreement', 'notOffered')
  .extend({ failureRate: rate })
  .extend(measures('meanRounds').shape);

const negotiation = negotiationCounts
  .extend({ paid: count })
  .extend(fields(msat, 'postedMsat', 'paidMsat', 'savingsMsat').shape)
  .extend(measures('savingsRate').shape);

/** An older version's negotiation entry: no `paid`, and `agreedMsat` summed over every agreement. */
const olderNegotiationEntry = negotiationCounts.extend({ agreedMsat: msat });

const conservation = numbers(
  'debitsMsat',
  'creditsMsat',
  'sellersMsat',
  'resellersMsat',
  'routingFeesMsat',
  'differenceMsat',
).extend({
  holds: z.boolean(),
  recorded: numbers('payersMsat', 'feesMsat', 'spendDifferenceMsat', 'feeDifferenceMsat'),
  network: numbers('initialMsat', 'finalMsat', 'differenceMsat'),
});

const seriesPoint = numbers('t', 'attempts', 'delivered', 'spentMsat')
  .extend(measures('meanPriceMsat').shape)
  .extend({
    sellers: z.record(z.string(), numbers('revenueMsat').extend(measures('meanQuotedMsat').shape)),
  });

/** Every field of summary.json, nested ones included (unknown extra keys are let through). */
const summaryFields = z.object({
  scenario: z.string(),
  description: z.string(),
  seed: z.union([z.string(), num]),
  backend: z.enum(['embedded', 'regtest']),
  invoices: z.literal('unsigned').optional(),
  scenarioHash: z.string(),
  durationMs: num,
  endedAtMs: num,
  stopped: z.literal(true).optional(),
  counts: fields(count, 'buyers', 'sellers', 'resellers', 'subAgents', 'routers', 'tasks'),
  purchases: funnel.extend({ total: count, byOutcome: counts, byFailure: counts }),
  money: fields(paidMsat, 'spentMsat', 'feesMsat')
    .extend({ sales: count })
    .extend(measures('meanPaidMsat', 'feeRate').shape),
  latency: z.object({
    attempts: percentiles,
    steps: z.record(z.enum(STEPS), percentiles),
    cdf,
  }),
  prices: z.record(
    z.string(),
    z.object({ n: count, meanMsat: num, sdMsat: nonNegative, cv: nonNegative, minMsat: num, maxMsat: num }),
  ),
  welfare,
  groups: z.record(z.string(), group),
  market: z.object({
    revenueMsat: paidMsat,
    hhi: rate,
    sellers: z.record(z.string(), z.object({ revenueMsat: paidMsat, sales: count, share: num })),
  }),
  successByAmount: z.array(numbers('minMsat', 'maxMsat', 'attempts', 'succeeded', 'rate')),
  series: z.object({ bucketMs: num, points: z.array(seriesPoint) }),
  sellers: z.record(z.string(), z.object({ revenueMsat: paidMsat, sales: count, refunds: count })),
  resale: z.record(
    z.string(),
    numbers('costMsat', 'revenueMsat', 'marginMsat', 'sales').extend(measures('marginRate').shape),
  ),
  faults: z.array(numbers('atMs').extend({ kind: z.string(), target: z.string(), detail: z.string() })),
  warnings: z.array(z.string()),
  conservation,
  negotiation: z.record(z.string(), negotiation).optional(),
  // A repricing seller's list starts with the price it posts at the start: never empty.
  postedPrices: z
    .record(z.string(), z.array(numbers('atMs', 'msat').extend({ move: z.string() })).min(1))
    .optional(),
});

/** Every field of summary.json, nested ones included (unknown extra keys are let through). */
export const summarySchema: z.ZodType<Summary> = summaryFields;

/**
 * A negotiation entry of a summary.json written before `paid` was recorded (sim report reads those
 * back): its postedMsat, agreedMsat and savingsMsat sum over every agreement, paid or not, so
 * nothing in it says what was paid (its other sums are not read).
 */
export type OlderNegotiationStats = Pick<
  NegotiationStats,
  'negotiations' | 'agreed' | 'noAgreement' | 'notOffered' | 'failureRate' | 'meanRounds'
> & { agreedMsat: number };

/** A summary.json of a run written before negotiation entries recorded `paid`. */
export type OlderSummary = Omit<Summary, 'negotiation'> & {
  negotiation?: Record<string, OlderNegotiationStats>;
};

/** A summary.json as `sim report` reads it back: this version's, or one written before `paid`. */
export type ReportedSummary = Summary | OlderSummary;

/** summary.json as written before `paid`: each negotiation entry has `agreedMsat` (now `paidMsat`) and no `paid`. */
const olderSummarySchema: z.ZodType<OlderSummary> = summaryFields.extend({
  negotiation: z.record(z.string(), olderNegotiationEntry).optional(),
});

/**
 * The schema to read `doc` (a summary.json document) back with: the older one when a negotiation
 * entry has `agreedMsat` and no `paid` (written before `paid`), else this version's.
 */
export function reportedSummarySchema(doc: unknown): z.ZodType<ReportedSummary> {
  const entries = Object.values(objectAt(objectAt(doc)?.negotiation) ?? {});
  const older = entries.some((e) => {
    const entry = objectAt(e);
    return entry !== undefined && 'agreedMsat' in entry && !('paid' in entry);
  });
  return older ? olderSummarySchema : summarySchema;
}

function objectAt(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Whether `n` was written before `paid`: it does not say which agreements were paid. */
export function writtenBeforePaid(n: NegotiationStats | OlderNegotiationStats): n is OlderNegotiationStats {
  return !('paid' in n);
}
