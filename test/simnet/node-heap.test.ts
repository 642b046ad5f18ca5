/**
 * The router's heap: which of two nodes at equal distance pops first
 * follows from the exact moves of this binary heap, and every route's
 * tie-breaking with it. The pop order below is pinned: pushes at few
 * distinct distances (ties everywhere), decrease-keys and pops interleaved
 * from a seeded stream, as a route search does them.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { NodeHeap } from '../../infra/lightning/simnet/node-heap.js';

/** 5,000 seeded operations on 1,000 nodes; returns the nodes in the order they popped. */
function popOrder(): number[] {
  const rng = createRng('node-heap');
  const n = 1000;
  const dist = new Float64Array(n).fill(Infinity);
  const heap = new NodeHeap(dist, n);
  const popped: number[] = [];
  const done = new Set<number>();
  for (let step = 0; step < 5000; step++) {
    const v = rng.int(n);
    if (rng.int(3) === 0 && heap.size) {
      const top = heap.pop();
      popped.push(top);
      done.add(top);
    } else if (!done.has(v)) {
      // Distances on a coarse grid, each at most the one it had: equal keys and decrease-keys abound.
      const d = Math.min(dist[v]!, 1 + rng.int(8));
      dist[v] = d;
      heap.push(v);
    }
  }
  while (heap.size) popped.push(heap.pop());
  return popped;
}

describe('NodeHeap', () => {
  it('pops ties in the order the router always popped them: 5,000 seeded operations, 990 pops, pinned', () => {
    const order = popOrder();
    expect(order.length).toBe(990);
    expect(order.slice(0, 12)).toEqual([974, 796, 117, 477, 115, 376, 360, 351, 401, 658, 259, 939]);
    expect(createHash('sha256').update(order.join(',')).digest('hex')).toBe(
      'f206d7a3e85bde1e86f6a99089e551fa18582d7cae7e4d6afc7f93323de9e530',
    );
  });
});
