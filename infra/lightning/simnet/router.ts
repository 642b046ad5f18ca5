import type { Msat } from '../../money.js';
import type { ChannelGraph } from './graph.js';
import type { MissionControl } from './mission-control.js';
import { RelayIndex } from './relay-index.js';
import { ownEdgeCarries, RouteSearch } from './route-search.js';
import { SharedSearches } from './shared-searches.js';

/** 'lnd': the payer sees capacities and its own balances, learns from failures. 'omniscient': sees every true balance. */
export type RouterKind = 'lnd' | 'omniscient';

/** A route from payer to payee: edges in order and the amount each channel carries. */
export interface Route {
  edges: number[];
  /** amounts[i] is what edge i carries; the last equals the payment amount. */
  amounts: Msat[];
  /** amounts[0] − amount: what the payer pays the forwarding nodes. */
  feeMsat: Msat;
  /** Sum of the forwarding nodes' CLTV deltas plus the final CLTV. */
  cltvTotal: number;
}

/** What pathfinding needs to know beyond the graph. */
export interface RouteQuery {
  source: number;
  target: number;
  amountMsat: Msat;
  maxFeeMsat: Msat;
  finalCltv: number;
  now: number;
  kind: RouterKind;
  mc?: MissionControl;
  /** Which nodes are up. The payer always sees its own peers (an offline peer's channel is inactive); only the omniscient router sees the rest. */
  online?: ArrayLike<boolean>;
  /**
   * The payer's own channels taken to carry any amount (their balance, capacity and HTLC limits set
   * aside; their peers must still be up): the route a payer short of the amount plus fees would need.
   */
  ownLimitsAside?: boolean;
}

/** Options of `new Router(graph, …)`. */
export interface RouterOptions {
  /** Node slots (one per node per search) the searches shared by payers may hold in all (default 2^21: about 80 MB). 0: none. */
  sharedSlots?: number;
  /** Share searches only on graphs with at least this many nodes that relay (default 1,000; smaller graphs search fast alone). */
  shareFromRelays?: number;
}

/**
 * Sender-side pathfinding like LND's: Dijkstra run backwards from the payee
 * so each node's label already holds the exact amount it must receive (fees
 * computed hop by hop from the destination, as BOLT7 says). The weight is
 * fee + time-lock risk + attempt cost / success probability; the fee limit
 * prunes paths during the search. Returns undefined when no route exists.
 *
 * Until it reaches the payer's router, a backward search does not depend on
 * the payer when the payer is a dead end on that router (see RelayIndex)
 * and has no record that changes the probability of a channel the search
 * read so far. On a big graph such payers share one search per payee and
 * amount, taken further as each needs it: their routes are read off it,
 * the same routes, ties included, their own searches would find.
 *
 * Scratch arrays are reused between calls: one `Router` per network.
 */
export class Router {
  readonly #own = new RouteSearch();
  readonly #index: RelayIndex;
  readonly #shared: SharedSearches;
  readonly #shareFromRelays: number;
  /** What the router did so far: its own searches, routes read off shared ones, and nodes settled by both. */
  readonly work = { ownSearches: 0, sharedRoutes: 0, settled: 0 };

  constructor(
    private readonly graph: ChannelGraph,
    { sharedSlots = 2 ** 21, shareFromRelays = 1000 }: RouterOptions = {},
  ) {
    this.#index = new RelayIndex(graph);
    this.#shared = new SharedSearches(sharedSlots);
    this.#shareFromRelays = shareFromRelays;
  }

  findRoute(q: RouteQuery): Route | undefined {
    this.#index.update();
    const payerRouter = this.#index.soleIn[q.source]!;
    const shareable =
      q.kind === 'lnd' &&
      q.mc !== undefined &&
      payerRouter >= 0 &&
      q.source !== q.target &&
      this.#index.relays >= this.#shareFromRelays;
    if (shareable) {
      const route = this.#sharedRoute(q, payerRouter);
      if (route !== 'payer-specific') {
        this.work.sharedRoutes++;
        return route;
      }
    }
    this.work.ownSearches++;
    return this.#search(q, payerRouter);
  }

  /** The payer's own search, stopped once the payer is settled. */
  #search(q: RouteQuery, payerRouter: number): Route | undefined {
    const g = this.graph;
    const s = this.#own;
    const ix = this.#index;
    const relayIn = ix.relayIn;
    const payerEdges = g.outEdges[q.source]!;
    s.ensure(g.nodeCount);
    s.start(q.target, q.amountMsat, q.finalCltv);
    while (s.heap.size) {
      const v = s.pop();
      if (v === q.source) break;
      // A payer whose channels all go to v is one of v's dead ends, left out of relayIn[v]: its own
      // channels (all lead to v) are read rather than all of v's in-edges (a hub has thousands).
      // Reading them first changes no route: only the payer's label comes from them, and v is settled.
      if (payerRouter === v) for (const e of payerEdges) s.relax(g, ix, e, v, q);
      for (const e of relayIn[v]!) s.relax(g, ix, e, v, q);
    }
    this.work.settled += s.settled;
    const first = s.next[q.source]!;
    return first === -1 ? undefined : readRoute(g, s, q, first);
  }

  /**
   * The route from the search shared by payers like this one, taken on
   * until `entry` (the node all the payer's channels go to) is settled;
   * 'payer-specific' when the payer's records would change a channel's
   * probability where the search read it before settling `entry` (then
   * only its own search is exact).
   */
  #sharedRoute(q: RouteQuery, entry: number): Route | undefined | 'payer-specific' {
    const g = this.graph;
    const mc = q.mc!;
    const key = `${q.target}:${q.amountMsat}:${q.maxFeeMsat}:${q.finalCltv}:${mc.apriori}`;
    const shared = { ...q, source: -1 };
    const s = this.#shared.get(key, this.#index.update(), g.nodeCount, (fresh) =>
      fresh.start(q.target, q.amountMsat, q.finalCltv),
    );
    if (!s) return 'payer-specific';
    const ix = this.#index;
    const relayIn = ix.relayIn;
    const before = s.settled;
    while (s.order[entry] === -1 && s.heap.size) {
      const v = s.pop();
      for (const e of relayIn[v]!) s.relax(g, ix, e, v, shared, true);
    }
    this.work.settled += s.settled - before;
    const settledEntry = s.order[entry]!;
    if (settledEntry === -1) return undefined;
    for (const e of mc.recordedEdges()) {
      const v = g.to(e);
      const at = s.order[v]!;
      if (at === -1 || at >= settledEntry) continue;
      const cap = g.channels[e >> 1]!.capacityMsat;
      if (mc.probability(e, s.amt[v]!, cap, q.now) !== mc.prior(s.amt[v]!, cap)) return 'payer-specific';
    }
    // The payer's label: its first own channel that carries entry's amount (weight 0: later ones tie, and lose).
    const first = g.outEdges[q.source]!.find((e) => ownEdgeCarries(g, e, entry, s.amt[entry]!, q));
    return first === undefined ? undefined : readRoute(g, s, q, first);
  }
}

/** The route a search found, read from the payer's first edge along the next-hop pointers. */
function readRoute(g: ChannelGraph, s: RouteSearch, q: RouteQuery, first: number): Route {
  const edges: number[] = [];
  const amounts: number[] = [];
  for (let e = first; ; e = s.next[g.to(e)]!) {
    edges.push(e);
    amounts.push(s.amt[g.to(e)]!);
    if (g.to(e) === q.target) break;
    if (edges.length > g.nodeCount) throw new Error('router: cycle in next-hop pointers (bug)');
  }
  return { edges, amounts, feeMsat: amounts[0]! - q.amountMsat, cltvTotal: s.cltv[g.to(first)]! };
}
