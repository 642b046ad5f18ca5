/**
 * Integer weights with prefix sums (a Fenwick tree): changing a weight,
 * summing the first `i` and finding where a draw lands each take
 * O(log n), where a scan over the weights takes O(n). The topology picks
 * routers by channel count with it, thousands of routers in near-linear
 * time.
 *
 * `find(x)` answers exactly what subtracting the weights from `x` one at a
 * time until it goes negative answers (the scan it replaces): with whole
 * weights and sums below 2^53 both the scan's subtractions and the tree's
 * comparisons are exact, so a seeded draw lands on the same index.
 */
export class WeightTree {
  /** tree[k] (1-based) holds the sum of the weights in (k - lowbit(k), k]. */
  readonly #tree: number[];
  readonly #top: number;

  /** A tree over `weights` (whole numbers), built in O(n). */
  constructor(weights: readonly number[]) {
    const n = weights.length;
    this.#tree = [0, ...weights];
    for (let k = 1; k <= n; k++) {
      const parent = k + (k & -k);
      if (parent <= n) this.#tree[parent]! += this.#tree[k]!;
    }
    let top = 1;
    while (top * 2 <= n) top *= 2;
    this.#top = n === 0 ? 0 : top;
  }

  get size(): number {
    return this.#tree.length - 1;
  }

  /** Adds `delta` to the weight at `index` (0-based). */
  add(index: number, delta: number): void {
    for (let k = index + 1; k <= this.size; k += k & -k) this.#tree[k]! += delta;
  }

  /** Sum of the first `count` weights. */
  prefix(count: number): number {
    let sum = 0;
    for (let k = count; k > 0; k -= k & -k) sum += this.#tree[k]!;
    return sum;
  }

  /** The first index whose running sum of weights exceeds `x`, or `size` when none does. */
  find(x: number): number {
    let pos = 0;
    let sum = 0;
    for (let step = this.#top; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && sum + this.#tree[next]! <= x) {
        pos = next;
        sum += this.#tree[next]!;
      }
    }
    return pos;
  }
}
