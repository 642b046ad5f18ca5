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

/** An object of number fields. */
function numbers<K extends string>(...keys: K[]) {
  return z.object(Object.fromEntries(keys.map((k) => [k, num])) as Record<K, typeof num>);
}

const counts = z.record(z.string(), num);
const cdf = z.array(numbers('value', 'fraction'));
const percentiles = numbers('count', 'mean', 'min', 'p50', 'p90', 'p95', 'p99', 'max');
const role = z.enum(['buyer', 'sub-agent', 'reseller', 'seller']);

const funnel = numbers(
  'attempts',
  'quoteRejections',
  'quoteRejectionRate',
  'policyDenials',
  'policyDenialRate',
  'paymentsAttempted',
  'paymentsSucceeded',
  'paymentSuccessRate',
  'paidCalls',
  'delivered',
  'deliveryRate',
  'paidUndelivered',
  'tokenReuses',
  'tokenReuseRate',
  'tasks',
  'tasksDone',
  'taskCompletionRate',
);

const welfare = numbers(
  'tasks',
  'done',
  'valueMsat',
  'costMsat',
  'buyerSurplusMsat',
  'buyerSurplusPerTaskMsat',
  'sellerRevenueMsat',
  'sellerUpstreamMsat',
  'sellerCostMsat',
  'sellerProfitMsat',
  'routingIncomeMsat',
  'totalMsat',
).extend({ byStopReason: counts });

const group = funnel
  .extend(
    numbers('spentMsat', 'feesMsat', 'surplusMsat', 'surplusPerTaskMsat', 'latencyP50', 'latencyP95').shape,
  )
  .extend({ role, latencyCdf: cdf });

const negotiation = numbers(
  'negotiations',
  'agreed',
  'noAgreement',
  'notOffered',
  'failureRate',
  'meanRounds',
  'postedMsat',
  'agreedMsat',
  'savingsMsat',
  'savingsRate',
);

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

const seriesPoint = numbers('t', 'attempts', 'delivered', 'spentMsat', 'meanPriceMsat').extend({
  sellers: z.record(z.string(), numbers('revenueMsat', 'meanQuotedMsat')),
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
  counts: numbers('buyers', 'sellers', 'resellers', 'subAgents', 'routers', 'tasks'),
  purchases: funnel.extend({ total: num, byOutcome: counts, byFailure: counts }),
  money: numbers('spentMsat', 'feesMsat', 'sales', 'meanPaidMsat', 'feeRate'),
  latency: z.object({
    attempts: percentiles,
    steps: z.record(z.enum(STEPS), percentiles),
    cdf,
  }),
  prices: z.record(z.string(), numbers('n', 'meanMsat', 'sdMsat', 'cv', 'minMsat', 'maxMsat')),
  welfare,
  groups: z.record(z.string(), group),
  market: numbers('revenueMsat', 'hhi').extend({
    sellers: z.record(z.string(), numbers('revenueMsat', 'sales', 'share')),
  }),
  successByAmount: z.array(numbers('minMsat', 'maxMsat', 'attempts', 'succeeded', 'rate')),
  series: z.object({ bucketMs: num, points: z.array(seriesPoint) }),
  sellers: z.record(z.string(), numbers('revenueMsat', 'sales', 'refunds')),
  resale: z.record(z.string(), numbers('costMsat', 'revenueMsat', 'marginMsat', 'marginRate', 'sales')),
  faults: z.array(numbers('atMs').extend({ kind: z.string(), target: z.string(), detail: z.string() })),
  warnings: z.array(z.string()),
  conservation,
  negotiation: z.record(z.string(), negotiation).optional(),
  postedPrices: z
    .record(z.string(), z.array(numbers('atMs', 'msat').extend({ move: z.string() })))
    .optional(),
});
