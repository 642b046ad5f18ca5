/**
 * The WeightTree the topology draws routers with: `find` must land where
 * the scan it replaced (subtract each weight until the draw goes negative)
 * lands, for every draw, or seeded networks would change.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { WeightTree } from '../../sim/market/weight-tree.js';

/** The scan the topology used before: the first index whose weight takes `x` below zero, or the count when none does. */
function scan(weights: number[], x: number): number {
  for (let i = 0; i < weights.length; i++) if ((x -= weights[i]!) < 0) return i;
  return weights.length;
}

describe('WeightTree', () => {
  it('finds the first index whose running sum exceeds x, exactly at each boundary, and the size past the total', () => {
    const tree = new WeightTree([3, 1, 4, 1, 5]);
    const xs = [0, 2.999999, 3, 3.5, 4, 7.999999, 8, 9, 13.999999, 14, 20];
    expect(xs.map((x) => tree.find(x))).toEqual([0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5]);
    expect([0, 1, 2, 5].map((n) => tree.prefix(n))).toEqual([0, 3, 4, 14]);
  });

  it('keeps its sums after adds: weights [1, 1, 1] with 2 added at index 1 and 3 at index 2', () => {
    const tree = new WeightTree([1, 1, 1]);
    tree.add(1, 2);
    tree.add(2, 3);
    expect([1, 2, 3].map((n) => tree.prefix(n))).toEqual([1, 4, 8]);
    expect([0.5, 1, 3.999, 4, 7.999, 8].map((x) => tree.find(x))).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it('lands where the scan lands for 20,000 seeded draws over 1,000 changing weights', () => {
    const rng = createRng('weight-tree');
    const weights = Array.from({ length: 1000 }, () => 1 + rng.int(50));
    const tree = new WeightTree(weights);
    let differ = 0;
    for (let k = 0; k < 20_000; k++) {
      const i = rng.int(weights.length);
      weights[i]! += 1;
      tree.add(i, 1);
      const total = tree.prefix(weights.length);
      const x = rng.next() * total;
      if (tree.find(x) !== scan(weights, x)) differ++;
    }
    expect(differ).toBe(0);
  });

  it('an empty tree finds index 0 and sums to 0', () => {
    const tree = new WeightTree([]);
    expect([tree.find(0), tree.prefix(0), tree.size]).toEqual([0, 0, 0]);
  });
});
