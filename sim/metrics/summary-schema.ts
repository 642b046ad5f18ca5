import { z } from 'zod';
import { STEPS } from './rows.js';
import type { Summary } from './summary.js';

/**
 * summary.json's shape as a zod schema, for reading a run's summary back
 * (`sim report`): a file that is not one fails here with what is wrong instead
 * of deep inside a chart. The annotation keeps it in step with `Summary`: a
 * field added there and missing here is a type error.
 */

const num = z.number();
/** A rate, a mean over samples or a quantile: null when there was nothing to measure. */
const measured = num.nullable();

/** An object of number fields. */
function numbers<K extends string>(...keys: K[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, num])) as Record<K, typeof num>);
}

/** An object of measured fields (number, or null with nothing to measure). */
function measures<K extends string>(...keys: K[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, measured])) as Record<K, typeof measured>);
}

const counts = z.record(z.string(), num);
const cdf = z.array(numbers('value', 'fraction'));
const percentiles = numbers('count').extend(measures('mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max').shape);
const role = z.enum(['buyer', 'sub-agent', 'reseller', 'seller']);

const funnel = numbers(
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
  measures(
    'quoteRejectionRate',
    'policyDenialRate',
    'paymentSuccessRate',
    'deliveryRate',
    'tokenReuseRate',
    'taskCompletionRate',
  ).shape,
);

const welfare = numbers(
  'tasks',
  'done',
  'valueMsat',
  'costMsat',
  'buyerSurplusMsat',
  'sellerRevenueMsat',
  'sellerUpstreamMsat',
  'sellerCostMsat',
  'sellerProfitMsat',
  'routingIncomeMsat',
  'totalMsat',
)
  .extend(measures('buyerSurplusPerTaskMsat').shape)
  .extend({ byStopReason: counts });

const group = funnel
  .extend(numbers('spentMsat', 'feesMsat', 'surplusMsat').shape)
  .extend(measures('surplusPerTaskMsat', 'latencyP50', 'latencyP95').shape)
  .extend({ role, latencyCdf: cdf });

const negotiation = numbers(
  'negotiations',
  'agreed',
  'noAgreement',
  'notOffered',
  'postedMsat',
  'agreedMsat',
  'savingsMsat',
).extend(measures('failureRate', 'meanRounds', 'savingsRate').shape);

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
export const summarySchema: z.ZodType<Summary> = z.object({
  scenario: z.string(),
  description: z.string(),
  seed: z.union([z.string(), num]),
  backend: z.enum(['embedded', 'regtest']),
  invoices: z.literal('unsigned').optional(),
  scenarioHash: z.string(),
  durationMs: num,
  endedAtMs: num,
  stopped: z.literal(true).optional(),
  counts: numbers('buyers', 'sellers', 'resellers', 'subAgents', 'routers', 'tasks'),
  purchases: funnel.extend({ total: num, byOutcome: counts, byFailure: counts }),
  money: numbers('spentMsat', 'feesMsat', 'sales').extend(measures('meanPaidMsat', 'feeRate').shape),
  latency: z.object({
    attempts: percentiles,
    steps: z.record(z.enum(STEPS), percentiles),
    cdf,
  }),
  prices: z.record(
    z.string(),
    z.object({ n: num, meanMsat: num, sdMsat: measured, cv: measured, minMsat: num, maxMsat: num }),
  ),
  welfare,
  groups: z.record(z.string(), group),
  market: numbers('revenueMsat')
    .extend(measures('hhi').shape)
    .extend({
      sellers: z.record(z.string(), numbers('revenueMsat', 'sales', 'share')),
    }),
  successByAmount: z.array(numbers('minMsat', 'maxMsat', 'attempts', 'succeeded', 'rate')),
  series: z.object({ bucketMs: num, points: z.array(seriesPoint) }),
  sellers: z.record(z.string(), numbers('revenueMsat', 'sales', 'refunds')),
  resale: z.record(
    z.string(),
    numbers('costMsat', 'revenueMsat', 'marginMsat', 'sales').extend(measures('marginRate').shape),
  ),
  faults: z.array(numbers('atMs').extend({ kind: z.string(), target: z.string(), detail: z.string() })),
  warnings: z.array(z.string()),
  conservation,
  negotiation: z.record(z.string(), negotiation).optional(),
  postedPrices: z
    .record(z.string(), z.array(numbers('atMs', 'msat').extend({ move: z.string() })))
    .optional(),
});
