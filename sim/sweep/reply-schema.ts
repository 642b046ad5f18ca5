import { z } from 'zod';
import type { Summary } from '../metrics/summary.js';
import { summarySchema } from '../metrics/summary-schema.js';
import { checkedRunJson } from '../metrics/run-file.js';

/**
 * A run's summary as a sweep takes it from a reply stored in Redis: the shape of summary.json
 * (summary-schema.ts, the schema `sim report` reads files with), and, for every field the sweep
 * computes with (digest.ts: SWEEP_METRICS, GROUP_METRICS, the sellers' sales), a value a run
 * can give: a rate in [0, 1] or null, a count a whole number of at least 0, an amount whole
 * msat. zod's numbers are finite, so NaN and ±∞ are refused too. A summary a worker of this
 * version sends passes; a garbled or forged one is refused before it reaches a mean.
 */

const count = z.number().int().min(0);
const msat = z.number().int();
const paidMsat = count;
const rate = z.number().min(0).max(1).nullable();
/** A mean or quantile that is null with nothing to measure. */
const measured = z.number().nullable();
const nonNegative = z.number().min(0).nullable();

const purchases = z.object({
  ...Object.fromEntries(
    [
      'total',
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
    ].map((k) => [k, count]),
  ),
  ...Object.fromEntries(
    [
      'paymentSuccessRate',
      'deliveryRate',
      'taskCompletionRate',
      'quoteRejectionRate',
      'policyDenialRate',
      'tokenReuseRate',
    ].map((k) => [k, rate]),
  ),
});

/** The fields of a summary a sweep reads, with the values each can take. */
const sweepFields = z.object({
  purchases,
  money: z.object({ spentMsat: paidMsat, feesMsat: paidMsat }),
  welfare: z.object({
    totalMsat: msat,
    buyerSurplusMsat: msat,
    sellerProfitMsat: msat,
    buyerSurplusPerTaskMsat: measured,
  }),
  latency: z.object({ attempts: z.object({ p50: nonNegative, p95: nonNegative }) }),
  prices: z.record(z.string(), z.object({ cv: nonNegative })),
  market: z.object({ hhi: rate, sellers: z.record(z.string(), z.object({ sales: count })) }),
  negotiation: z
    .record(z.string(), z.object({ negotiations: count, noAgreement: count, savingsMsat: msat }))
    .optional(),
  groups: z.record(
    z.string(),
    z.object({
      surplusPerTaskMsat: measured,
      taskCompletionRate: rate,
      paymentSuccessRate: rate,
      spentMsat: paidMsat,
      feesMsat: paidMsat,
    }),
  ),
});

/**
 * `doc` as a run summary a sweep can merge, or thrown through `fail` with what is missing or
 * wrong, field by field (`purchases.paymentSuccessRate: expected at most 1`).
 */
export function sweepSummary(doc: unknown, fail: (why: string) => Error): Summary {
  const summary = checkedRunJson(doc, summarySchema, fail);
  checkedRunJson(summary, sweepFields, fail);
  return summary;
}
