import type { PairedDifference } from '../metrics/paired.js';
import type { Interval } from '../metrics/stats.js';
import { runsByPoint, type DigestedRun, type RunDigest } from './digest.js';
import { compareAcrossPoints } from './compare.js';

/**
 * One seller's share of the payments (sales) at one grid point, and its paired difference from the
 * baseline. A share of the number of payments, not of the money: summary.json's
 * `market.sellers.<payee>.share` is the share of the msat paid.
 */
export interface SellerShareStats {
  /** Its payments over all payments (paid purchases, 0..1) across the seeds with sales: mean with its 95% t-interval, clipped to [0, 1]. */
  salesShare: Interval;
  /** This point minus the baseline, paired over common seeds (interval clipped to [-1, 1]), Holm-adjusted across the points (absent on the baseline). */
  paired?: PairedDifference;
}

/**
 * A seller's share of the run's payments (sales): 0 when it sold nothing while others sold (a seed where it
 * lost the whole market counts), undefined (null, left out) in a run without any sales.
 */
function salesShareOf(d: RunDigest, seller: string): number | null {
  let total = 0;
  for (const sales of Object.values(d.sales)) total += sales;
  return total > 0 ? (d.sales[seller] ?? 0) / total : null;
}

/**
 * Per grid point, each seller's share of the payments (the summary's
 * `market.sellers.<payee>.sales`, as digested: payments to it over all payments) with its interval over
 * seeds and its paired difference from the baseline point: who wins the
 * customers as the grid changes, whatever each one charges.
 */
export function sellerShares(
  points: readonly { index: number }[],
  runs: readonly DigestedRun[],
  baseline: number,
): Record<number, Record<string, SellerShareStats>> {
  const sellers = [...new Set(runs.flatMap((r) => Object.keys(r.digest.sales)))].sort();
  const runsAt = runsByPoint(runs);
  // Holm over the comparisons with the baseline, one family per seller (compare.ts).
  const compared = sellers.map((seller) =>
    compareAcrossPoints(
      points,
      runsAt,
      baseline,
      (r) => salesShareOf(r.digest, seller),
      true,
      `seller ${seller}'s share of the sales`,
    ),
  );
  const out: Record<number, Record<string, SellerShareStats>> = {};
  points.forEach((p, i) => {
    out[p.index] = Object.fromEntries(
      sellers.map((seller, k) => {
        const { interval, paired } = compared[k]![i]!;
        return [seller, { salesShare: interval, ...(paired && { paired }) }];
      }),
    );
  });
  return out;
}
