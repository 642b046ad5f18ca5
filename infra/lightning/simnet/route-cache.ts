import type { Msat } from '../../money.js';
import type { Route } from './router.js';

interface Entry {
  route: Route;
  graphVersion: number;
  mcVersion: number;
  at: number;
}

/**
 * Remembers routes per (payer, payee, amount, fee limit) so repeat purchases
 * skip pathfinding. An entry is stale once the graph or the payer's mission
 * control changed, or after `ttlMs` of clock time (penalties fade with time,
 * so an old answer may no longer be the best one).
 */
export class RouteCache {
  readonly #map = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 100_000,
  ) {}

  get(
    payer: number,
    payee: number,
    amountMsat: Msat,
    maxFeeMsat: Msat,
    graphVersion: number,
    mcVersion: number,
    now: number,
  ): Route | undefined {
    const e = this.#map.get(key(payer, payee, amountMsat, maxFeeMsat));
    if (e && e.graphVersion === graphVersion && e.mcVersion === mcVersion && now - e.at < this.ttlMs) {
      this.hits++;
      return e.route;
    }
    this.misses++;
    return undefined;
  }

  set(
    payer: number,
    payee: number,
    amountMsat: Msat,
    maxFeeMsat: Msat,
    route: Route,
    graphVersion: number,
    mcVersion: number,
    now: number,
  ): void {
    // Crude but bounded: start over when full rather than track recency on the hot path.
    if (this.#map.size >= this.maxEntries) this.#map.clear();
    this.#map.set(key(payer, payee, amountMsat, maxFeeMsat), { route, graphVersion, mcVersion, at: now });
  }
}

const key = (a: number, b: number, amt: number, fee: number) => `${a}>${b}:${amt}:${fee}`;
