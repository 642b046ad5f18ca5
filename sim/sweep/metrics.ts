import type { Summary } from '../metrics/summary.js';

/** A figure a sweep compares across grid points, taken from one run's summary. */
export interface SweepMetric {
  key: string;
  label: string;
  of: (s: Summary) => number;
  /** For a proportion: its numerator and denominator (its interval is clipped to [0, 1]; the counts summed over seeds are `pooled`). */
  counts?: (s: Summary) => [number, number];
}

/** Metrics a sweep compares, each with one meaning (docs/simulator.md defines them). */
export const SWEEP_METRICS: SweepMetric[] = [
  {
    key: 'paymentSuccessRate',
    label: 'payment success',
    of: (s) => s.purchases.paymentSuccessRate,
    counts: (s) => [s.purchases.paymentsSucceeded, s.purchases.paymentsAttempted],
  },
  {
    key: 'deliveryRate',
    label: 'delivery',
    of: (s) => s.purchases.deliveryRate,
    counts: (s) => [s.purchases.delivered, s.purchases.paidCalls],
  },
  {
    key: 'taskCompletionRate',
    label: 'task completion',
    of: (s) => s.purchases.taskCompletionRate,
    counts: (s) => [s.purchases.tasksDone, s.purchases.tasks],
  },
  {
    key: 'quoteRejectionRate',
    label: 'quote rejection',
    of: (s) => s.purchases.quoteRejectionRate,
    counts: (s) => [s.purchases.quoteRejections, s.purchases.attempts],
  },
  {
    key: 'policyDenialRate',
    label: 'policy denial',
    of: (s) => s.purchases.policyDenialRate,
    counts: (s) => [s.purchases.policyDenials, s.purchases.attempts - s.purchases.quoteRejections],
  },
  {
    key: 'tokenReuseRate',
    label: 'token reuse',
    of: (s) => s.purchases.tokenReuseRate,
    counts: (s) => [s.purchases.tokenReuses, s.purchases.delivered],
  },
  { key: 'attempts', label: 'purchase attempts', of: (s) => s.purchases.total },
  /** Money paid for nothing, counted in calls: calls the attempt paid for (paidMsat > 0) that did not deliver. */
  {
    key: 'paidUndelivered',
    label: 'paid calls not delivered',
    of: (s) => s.purchases.paidUndelivered,
  },
  { key: 'spentMsat', label: 'spent (msat)', of: (s) => s.money.spentMsat },
  { key: 'feesMsat', label: 'fees (msat)', of: (s) => s.money.feesMsat },
  { key: 'welfareMsat', label: 'welfare (msat)', of: (s) => s.welfare.totalMsat },
  { key: 'buyerSurplusMsat', label: 'buyer surplus (msat)', of: (s) => s.welfare.buyerSurplusMsat },
  {
    key: 'buyerSurplusPerTaskMsat',
    label: 'buyer surplus per task (msat)',
    of: (s) => s.welfare.buyerSurplusPerTaskMsat,
  },
  { key: 'sellerProfitMsat', label: 'seller profit (msat)', of: (s) => s.welfare.sellerProfitMsat },
  { key: 'latencyP50', label: 'latency p50 (ms)', of: (s) => s.latency.attempts.p50 },
  { key: 'latencyP95', label: 'latency p95 (ms)', of: (s) => s.latency.attempts.p95 },
  { key: 'priceCv', label: 'price dispersion (mean CV)', of: (s) => meanCv(s) },
  { key: 'hhi', label: 'seller concentration (HHI)', of: (s) => s.market.hhi },
  /** Posted minus agreed price over agreed negotiations, all groups (0 in a run without any). */
  {
    key: 'negotiationSavingsMsat',
    label: 'negotiation savings (msat)',
    of: (s) => negotiations(s).reduce((a, g) => a + g.savingsMsat, 0),
  },
  {
    key: 'negotiationFailureRate',
    label: 'negotiation failure',
    of: (s) => {
      const [failed, n] = negotiationCounts(s);
      return n > 0 ? failed / n : 0;
    },
    counts: negotiationCounts,
  },
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

function meanCv(s: Summary): number {
  const cvs = Object.values(s.prices).map((p) => p.cv);
  return cvs.length ? cvs.reduce((a, b) => a + b, 0) / cvs.length : 0;
}
