import { holm, pairedDifference, type PairedDifference } from '../metrics/paired.js';
import { clipInterval, tInterval, type Interval } from '../metrics/stats.js';
import type { Summary } from '../metrics/summary.js';

/** One seller's share of the sales at one grid point, and its paired difference from the baseline. */
export interface SellerShareStats {
  /** Share of all sales (paid purchases, 0..1) across the seeds with sales: mean with its 95% t-interval, clipped to [0, 1]. */
  share: Interval;
  /** This point minus the baseline, paired over common seeds (interval clipped to [-1, 1]), Holm-adjusted across the points (absent on the baseline). */
  paired?: PairedDifference;
}

/** A finished run as the shares need it. */
interface Run {
  point: number;
  seed: string | number;
  summary: Summary;
}

/**
 * A seller's share of the run's sales: 0 when it sold nothing while others sold (a seed where it
 * lost the whole market counts), undefined (null, left out) in a run without any sales.
 */
function shareOf(s: Summary, seller: string): number | null {
  let total = 0;
  for (const v of Object.values(s.market.sellers)) total += v.sales;
  return total > 0 ? (s.market.sellers[seller]?.sales ?? 0) / total : null;
}

/**
 * Per grid point, each seller's share of the sales (summary
 * `market.sellers`: payments to it over all payments) with its interval over
 * seeds and its paired difference from the baseline point: who wins the
 * customers as the grid changes, whatever each one charges.
 */
export function sellerShares(
  points: readonly { index: number }[],
  runs: readonly Run[],
  baseline: number,
): Record<number, Record<string, SellerShareStats>> {
  const sellers = [...new Set(runs.flatMap((r) => Object.keys(r.summary.market.sellers)))].sort();
  const bySeed = (point: number, seller: string) =>
    new Map(runs.filter((r) => r.point === point).map((r) => [String(r.seed), shareOf(r.summary, seller)]));
  const out: Record<number, Record<string, SellerShareStats>> = {};
  for (const p of points) {
    const mine = runs.filter((r) => r.point === p.index);
    out[p.index] = Object.fromEntries(
      sellers.map((seller) => [
        seller,
        {
          share: clipInterval(tInterval(mine.map((r) => shareOf(r.summary, seller))), 0, 1),
          ...(p.index !== baseline && {
            paired: clipInterval(pairedDifference(bySeed(p.index, seller), bySeed(baseline, seller)), -1, 1),
          }),
        },
      ]),
    );
  }
  // Holm over the comparisons with the baseline, one family per seller.
  for (const seller of sellers) {
    const arms = points.filter((p) => p.index !== baseline).map((p) => out[p.index]![seller]!.paired!);
    holm(arms.map((d) => d.p)).forEach((adjusted, i) => (arms[i]!.pHolm = adjusted));
  }
  return out;
}
