import { RouteSearch } from './route-search.js';

/**
 * Backward route searches shared by payers, one per key (payee, amount,
 * fee limit, final CLTV, apriori probability), each as far as the payers
 * so far needed it. A graph change drops them all. They hold a few arrays
 * of the graph's size each, so they are bounded by `maxSlots` node slots
 * in all: past that the least recently used one is dropped (and its arrays
 * serve the next).
 */
export class SharedSearches {
  /** Least recently used first. */
  readonly #searches = new Map<string, RouteSearch>();
  readonly #spare: RouteSearch[] = [];
  #version = -1;

  constructor(private readonly maxSlots: number) {}

  /** How many searches of a graph of `nodeCount` nodes fit. */
  room(nodeCount: number): number {
    return Math.floor(this.maxSlots / Math.max(nodeCount, 1));
  }

  /**
   * The search for `key` on graph `version`, or a new one `start` has
   * begun; undefined when not even one search of this graph's size fits.
   */
  get(
    key: string,
    version: number,
    nodeCount: number,
    start: (s: RouteSearch) => void,
  ): RouteSearch | undefined {
    const room = this.room(nodeCount);
    if (version !== this.#version) {
      this.#spare.push(...this.#searches.values());
      this.#searches.clear();
      this.#spare.length = Math.min(this.#spare.length, room);
      this.#version = version;
    }
    let s = this.#searches.get(key);
    if (s) {
      this.#searches.delete(key);
      this.#searches.set(key, s);
      return s;
    }
    if (room < 1) return undefined;
    for (const [k, old] of this.#searches) {
      if (this.#searches.size < room) break;
      this.#searches.delete(k);
      this.#spare.push(old);
    }
    s = this.#spare.pop() ?? new RouteSearch();
    s.ensure(nodeCount);
    start(s);
    this.#searches.set(key, s);
    return s;
  }
}
