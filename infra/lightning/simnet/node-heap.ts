/**
 * An indexed binary min-heap of node indices keyed by a distance array the
 * caller owns, with decrease-key: `push` of a node already queued moves it
 * up. Which of two nodes at equal distance pops first follows from the
 * exact sequence of pushes and pops, so the router's routes (tie-breaking
 * included) depend on this code doing the same moves as ever.
 */
export class NodeHeap {
  /** heap[0..size): the queued nodes (a node is queued at most once, so `size` nodes fit). */
  #heap: Int32Array;
  #size = 0;
  /** pos[v]: v's slot in the heap, -1 never queued since the last clear, -2 popped. */
  #pos: Int32Array;

  constructor(
    private dist: Float64Array,
    size: number,
  ) {
    this.#heap = new Int32Array(size);
    this.#pos = new Int32Array(size).fill(-1);
  }

  get size(): number {
    return this.#size;
  }

  /** Uses `dist` (grown by the caller) and room for `size` nodes, all unqueued. */
  resize(dist: Float64Array, size: number): void {
    this.dist = dist;
    this.#heap = new Int32Array(size);
    this.#pos = new Int32Array(size).fill(-1);
    this.#size = 0;
  }

  /** Empties the heap and marks `nodes` (every node pushed since the last clear) unqueued. */
  clear(nodes: readonly number[]): void {
    for (const v of nodes) this.#pos[v] = -1;
    this.#size = 0;
  }

  /** Queues `v` at dist[v], or moves it up after dist[v] decreased. */
  push(v: number): void {
    let i = this.#pos[v]!;
    if (i < 0) {
      i = this.#size++;
      this.#heap[i] = v;
      this.#pos[v] = i;
    }
    this.#up(i);
  }

  /** Removes and returns the node of least distance (the heap must not be empty). */
  pop(): number {
    const h = this.#heap;
    const top = h[0]!;
    const last = h[--this.#size]!;
    this.#pos[top] = -2;
    if (this.#size) {
      h[0] = last;
      this.#pos[last] = 0;
      this.#down(0);
    }
    return top;
  }

  #up(i: number): void {
    const h = this.#heap;
    const d = this.dist;
    const v = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pv = h[p]!;
      if (d[pv]! <= d[v]!) break;
      h[i] = pv;
      this.#pos[pv] = i;
      i = p;
    }
    h[i] = v;
    this.#pos[v] = i;
  }

  #down(i: number): void {
    const h = this.#heap;
    const d = this.dist;
    const v = h[i]!;
    const n = this.#size;
    for (;;) {
      let m = 2 * i + 1;
      if (m >= n) break;
      if (m + 1 < n && d[h[m + 1]!]! < d[h[m]!]!) m++;
      if (d[h[m]!]! >= d[v]!) break;
      h[i] = h[m]!;
      this.#pos[h[i]!] = i;
      i = m;
    }
    h[i] = v;
    this.#pos[v] = i;
  }
}
