import { RunningStats, round } from './stats.js';
import { delivered, type PurchaseRow } from './rows.js';
import { pricePerCall } from './call-price.js';
import type { SeriesPoint } from './summary.js';

/** Buckets the scenario's duration is cut into at most (the drain may add more after them). */
const DURATION_BUCKETS = 120;

interface Bucket {
  attempts: number;
  delivered: number;
  spent: number;
  price: RunningStats;
  /** Per seller: revenue and the invoice amounts it quoted in this bucket. */
  sellers: Map<string, { revenueMsat: number; quoted: RunningStats }>;
}

/**
 * The run over time in fixed buckets by the attempt's start (whole seconds,
 * sized so that at most 120 cover the scenario's duration; attempts that start
 * during the drain add buckets after those): attempts, deliveries, spend,
 * mean price paid per call (`pricePerCall`), and per seller its revenue and
 * mean quoted price (price trajectories, shares); a mean over no values is
 * null.
 */
export class SeriesAcc {
  readonly bucketMs: number;
  readonly #buckets: Bucket[] = [];

  constructor(durationMs: number) {
    this.bucketMs = Math.max(1000, Math.ceil(durationMs / DURATION_BUCKETS / 1000) * 1000);
  }

  add(r: PurchaseRow): void {
    const i = Math.max(0, Math.floor(r.startMs / this.bucketMs));
    while (this.#buckets.length <= i)
      this.#buckets.push({
        attempts: 0,
        delivered: 0,
        spent: 0,
        price: new RunningStats(),
        sellers: new Map(),
      });
    const b = this.#buckets[i]!;
    b.attempts++;
    if (delivered(r)) b.delivered++;
    b.spent += r.paidMsat;
    const perCall = pricePerCall(r);
    if (perCall !== null) b.price.add(perCall);
    if (r.paidMsat > 0 || r.quotedMsat > 0) {
      let s = b.sellers.get(r.seller);
      if (!s) b.sellers.set(r.seller, (s = { revenueMsat: 0, quoted: new RunningStats() }));
      s.revenueMsat += r.paidMsat;
      if (r.quotedMsat > 0) s.quoted.add(r.quotedMsat);
    }
  }

  result(): { bucketMs: number; points: SeriesPoint[] } {
    return {
      bucketMs: this.bucketMs,
      points: this.#buckets.map((b, i) => ({
        t: i * this.bucketMs,
        attempts: b.attempts,
        delivered: b.delivered,
        spentMsat: b.spent,
        meanPriceMsat: meanOf(b.price),
        sellers: Object.fromEntries(
          [...b.sellers]
            .sort(([a], [c]) => (a < c ? -1 : 1))
            .map(([name, s]) => [name, { revenueMsat: s.revenueMsat, meanQuotedMsat: meanOf(s.quoted) }]),
        ),
      })),
    };
  }
}

/** The mean to 3 decimals (µsat), or null without values (a bucket without sales, a seller that quoted nothing). */
function meanOf(s: RunningStats): number | null {
  return s.n ? round(s.mean, 3) : null;
}
