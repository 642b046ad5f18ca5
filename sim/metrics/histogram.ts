/**
 * A fixed-bucket, log-linear histogram of non-negative integers (latencies in
 * ms): exact below 64, then 32 buckets per power of two (at most ~3% relative
 * error). Memory is bounded (under 1,000 buckets) whatever the count, so a
 * million purchases cost the same as ten; results are deterministic.
 */
const EXACT = 64;
const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
const MAX_VALUE = 2 ** 31 - 1;
const BUCKETS = indexOf(MAX_VALUE) + 1;

function indexOf(v: number): number {
  if (v < EXACT) return v;
  const e = 31 - Math.clz32(v);
  const shift = e - SUB_BITS;
  return (shift + 1) * SUB + ((v >> shift) - SUB);
}

function bucketRange(i: number): [number, number] {
  if (i < EXACT) return [i, i];
  const shift = Math.floor(i / SUB) - 1;
  const lo = (SUB + (i % SUB)) << shift;
  return [lo, lo + (1 << shift) - 1];
}

/** Percentile summary of a histogram: every figure but the count is null without values. */
export interface Percentiles {
  count: number;
  mean: number | null;
  min: number | null;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export class Histogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;

  /** Adds one value; negatives count as 0, fractions round, huge values clamp. */
  record(value: number): void {
    const v = Math.min(MAX_VALUE, Math.max(0, Math.round(value)));
    this.#counts[indexOf(v)]! += 1;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  get count(): number {
    return this.#count;
  }

  /** The value at quantile q (0..1): exact below 64, else the middle of its bucket, clamped to the observed range; null without values. */
  quantile(q: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) {
        const [lo, hi] = bucketRange(i);
        return Math.min(this.#max, Math.max(this.#min, Math.floor((lo + hi) / 2)));
      }
    }
    return this.#max;
  }

  /** Count, mean, min, p50/p90/p95/p99 and max (all but the count null without values). */
  summary(): Percentiles {
    const any = this.#count > 0;
    return {
      count: this.#count,
      mean: any ? this.#sum / this.#count : null,
      min: any ? this.#min : null,
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p95: this.quantile(0.95),
      p99: this.quantile(0.99),
      max: any ? this.#max : null,
    };
  }

  /** The empirical CDF as (value, fraction ≤ value) points, one per non-empty bucket. */
  cdf(): { value: number; fraction: number }[] {
    const out: { value: number; fraction: number }[] = [];
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.#counts[i]!;
      if (c === 0) continue;
      seen += c;
      out.push({ value: Math.min(this.#max, bucketRange(i)[1]), fraction: seen / this.#count });
    }
    return out;
  }

  /** Adds another histogram's counts into this one. */
  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.#counts[i]! += other.#counts[i]!;
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#count) {
      this.#min = Math.min(this.#min, other.#min);
      this.#max = Math.max(this.#max, other.#max);
    }
  }
}
