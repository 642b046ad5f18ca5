import type { Summary } from '../metrics/summary.js';
import { ratio } from '../metrics/stats.js';

/**
 * A figure a sweep compares across grid points, taken from one run's summary. A run may not
 * have it (`of` gives null, as summary.json does): a rate with nothing to count, a latency
 * without samples. Such a run is left out of that metric's mean, interval and paired
 * differences, whose `n` says how many runs had it.
 */
export interface SweepMetric {
  key: string;
  label: string;
  of: (s: Summary) => number | null;
  /** For a proportion: its numerator and denominator (its interval is clipped to [0, 1]; the counts summed over seeds are `pooled`). */
  counts?: (s: Summary) => [number, number];
  /**
   * A quantile read from a run's latency histogram (sim/metrics/histogram.ts): exact below
   * 64 ms, else the middle of a bucket about 3% wide, so runs whose quantiles differ by less
   * can read the same value.
   */
  histogram?: true;
}

/** A proportion: the run's rate (null in summary.json when its denominator is 0: nothing to count). */
function proportion(
  key: string,
  label: string,
  rate: (s: Summary) => number | null,
  counts: (s: Summary) => [number, number],
): SweepMetric {
  return { key, label, of: rate, counts };
}

/** Metrics a sweep compares, each with one meaning (docs/simulator.md defines them). */
export const SWEEP_METRICS: SweepMetric[] = [
  proportion(
    'paymentSuccessRate',
    'payment success',
    (s) => s.purchases.paymentSuccessRate,
    (s) => [s.purchases.paymentsSucceeded, s.purchases.paymentsAttempted],
  ),
  proportion(
    'deliveryRate',
    'delivery',
    (s) => s.purchases.deliveryRate,
    (s) => [s.purchases.delivered, s.purchases.paidCalls],
  ),
  proportion(
    'taskCompletionRate',
    'task completion',
    (s) => s.purchases.taskCompletionRate,
    (s) => [s.purchases.tasksDone, s.purchases.tasks],
  ),
  proportion(
    'quoteRejectionRate',
    'quote rejection',
    (s) => s.purchases.quoteRejectionRate,
    (s) => [s.purchases.quoteRejections, s.purchases.attempts],
  ),
  proportion(
    'policyDenialRate',
    'policy denial',
    (s) => s.purchases.policyDenialRate,
    (s) => [s.purchases.policyDenials, s.purchases.attempts - s.purchases.quoteRejections],
  ),
  proportion(
    'tokenReuseRate',
    'token reuse',
    (s) => s.purchases.tokenReuseRate,
    (s) => [s.purchases.tokenReuses, s.purchases.delivered],
  ),
  { key: 'attempts', label: 'purchase attempts', of: (s) => s.purchases.total },
  /** Money paid for nothing, in payments: payments for a call whose token delivered no call in the run. */
  {
    key: 'paymentsForNothing',
    label: 'payments for nothing',
    of: (s) => s.purchases.paymentsForNothing,
  },
  { key: 'spentMsat', label: 'spent (msat)', of: (s) => s.money.spentMsat },
  { key: 'feesMsat', label: 'fees (msat)', of: (s) => s.money.feesMsat },
  { key: 'welfareMsat', label: 'welfare (msat)', of: (s) => s.welfare.totalMsat },
  { key: 'buyerSurplusMsat', label: 'buyer surplus (msat)', of: (s) => s.welfare.buyerSurplusMsat },
  /** Undefined (null) in a run without tasks. */
  {
    key: 'buyerSurplusPerTaskMsat',
    label: 'buyer surplus per task (msat)',
    of: (s) => s.welfare.buyerSurplusPerTaskMsat,
  },
  { key: 'sellerProfitMsat', label: 'seller profit (msat)', of: (s) => s.welfare.sellerProfitMsat },
  /** Latency quantiles of purchase attempts: undefined (null) in a run without attempts. */
  { key: 'latencyP50', label: 'latency p50 (ms)', of: (s) => s.latency.attempts.p50, histogram: true },
  { key: 'latencyP95', label: 'latency p95 (ms)', of: (s) => s.latency.attempts.p95, histogram: true },
  /** Over prices per call (summary.json `prices`); null in a run without a capability priced twice or more. */
  { key: 'priceCv', label: 'price dispersion per call (mean CV)', of: (s) => meanCv(s) },
  /** Undefined (null) in a run without seller revenue. */
  { key: 'hhi', label: 'seller concentration (HHI)', of: (s) => s.market.hhi },
  /** Posted minus agreed price over agreements paid at the agreed price, all groups (0 in a run without any). */
  {
    key: 'negotiationSavingsMsat',
    label: 'negotiation savings paid (msat)',
    of: (s) => negotiations(s).reduce((a, g) => a + g.savingsMsat, 0),
  },
  proportion(
    'negotiationFailureRate',
    'negotiation failure',
    (s) => ratio(...negotiationCounts(s)),
    negotiationCounts,
  ),
];

function negotiations(s: Summary) {
  return Object.values(s.negotiation ?? {});
}

/** Negotiations that ended without agreement, of all negotiations (bids to sellers that do not negotiate excluded). */
function negotiationCounts(s: Summary): [number, number] {
  return negotiations(s).reduce<[number, number]>(
    (a, g) => [a[0] + g.noAgreement, a[1] + g.negotiations],
    [0, 0],
  );
}

/**
 * The mean of the capabilities' CVs of the prices paid per call (summary.json `prices`: a bundle's
 * price over its calls, resellers' restocks and time passes left out), over those with a spread (two
 * prices or more): a capability priced once has no CV (null) and is left out, never counted as no
 * dispersion; a run with none left has no price dispersion (null) and is left out of the metric.
 */
function meanCv(s: Summary): number | null {
  const cvs = Object.values(s.prices)
    .map((p) => p.cv)
    .filter((cv): cv is number => cv !== null);
  return cvs.length ? cvs.reduce((a, b) => a + b, 0) / cvs.length : null;
}
