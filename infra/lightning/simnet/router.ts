import type { Msat } from '../../money.js';
import type { ChannelGraph } from './graph.js';
import type { MissionControl } from './mission-control.js';

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
}

// LND's defaults: a failed attempt "costs" 100 sat + 0.1% of the amount, weighed by 1/probability;
// locking funds is priced at 15 parts per billion per block of CLTV.
const ATTEMPT_COST_MSAT = 100_000;
const ATTEMPT_COST_PPM = 1000;
const RISK_FACTOR = 15e-9;
const MIN_PROBABILITY = 0.01;

/**
 * Sender-side pathfinding like LND's: Dijkstra run backwards from the payee
 * so each node's label already holds the exact amount it must receive (fees
 * computed hop by hop from the destination, as BOLT7 says). The weight is
 * fee + time-lock risk + attempt cost / success probability; the fee limit
 * prunes paths during the search. Returns undefined when no route exists.
 *
 * Scratch arrays are reused between calls: one `Router` per network.
 */
export class Router {
  #dist = new Float64Array(0);
  #amt = new Float64Array(0);
  #cltv = new Float64Array(0);
  #next = new Int32Array(0);
  #heap: number[] = [];
  #pos = new Int32Array(0);
  /** Nodes labelled by the last search: dist, next and pos are reset for these alone. */
  #touched: number[] = [];
  /** soleIn[u]: the one node all of u's channels lead to (a leaf's router), else -1; for graph version #deadEndsVersion. */
  #soleIn = new Int32Array(0);
  /**
   * relayIn[v]: v's in-edges from nodes that are not dead ends on v, in inEdges order. A dead end on v
   * can only relay back to v, which is settled when its in-edges are read: unless it is the payer, it
   * is never on the route, so it is never labelled at all.
   */
  #relayIn: number[][] = [];
  #deadEndsVersion = -1;

  constructor(private readonly graph: ChannelGraph) {}

  findRoute(q: RouteQuery): Route | undefined {
    const g = this.graph;
    this.#ensure(g.nodeCount);
    this.#reset();
    this.#deadEnds();
    const payerRouter = this.#soleIn[q.source];
    const payerEdges = g.outEdges[q.source]!;

    this.#dist[q.target] = 0;
    this.#touched.push(q.target);
    this.#amt[q.target] = q.amountMsat;
    this.#cltv[q.target] = q.finalCltv;
    this.#push(q.target);
    while (this.#heap.length) {
      const v = this.#pop();
      if (v === q.source) break;
      // A payer whose channels all go to v is one of v's dead ends, left out of relayIn[v]: its own
      // channels (all lead to v) are read rather than all of v's in-edges (a hub has thousands).
      // Reading them first changes no route: only the payer's label comes from them, and v is settled.
      if (payerRouter === v) for (const e of payerEdges) this.#relax(e, v, q);
      for (const e of this.#relayIn[v]!) this.#relax(e, v, q);
    }
    return this.#next[q.source] === -1 ? undefined : this.#route(q);
  }

  /** Labels edge e's sender u through e, toward the settled node v, if e can carry v's amount and that is cheaper. */
  #relax(e: number, v: number, q: RouteQuery): void {
    const g = this.graph;
    const dist = this.#dist;
    const amt = this.#amt;
    const cltv = this.#cltv;
    const omniscient = q.kind === 'omniscient';
    const u = g.from(e);
    if (q.online && (u === q.source ? !q.online[v] : omniscient && !q.online[u])) return;
    const ch = g.channels[e >> 1]!;
    const pol = ch.policy[e & 1]!;
    const inAmt = amt[v]!;
    if (inAmt < pol.minHtlcMsat || inAmt > pol.maxHtlcMsat) return;
    let weight: number;
    let newAmt: number;
    if (u === q.source) {
      // Our own channel: we know its true balance, pay no fee, take no risk.
      if (g.spendable(e) < inAmt) return;
      weight = 0;
      newAmt = inAmt;
    } else {
      if (omniscient ? g.spendable(e) < inAmt : ch.capacityMsat < inAmt) return;
      const fee = g.fee(e, inAmt);
      newAmt = inAmt + fee;
      if (newAmt - q.amountMsat > q.maxFeeMsat) return;
      let p = 1;
      if (!omniscient && q.mc) p = q.mc.probability(e, inAmt, ch.capacityMsat, q.now);
      if (p < MIN_PROBABILITY) return;
      const attemptCost = ATTEMPT_COST_MSAT + (inAmt * ATTEMPT_COST_PPM) / 1e6;
      weight = fee + inAmt * (cltv[v]! + pol.cltvDelta) * RISK_FACTOR + attemptCost / p;
    }
    const d = dist[v]! + weight;
    if (d < dist[u]!) {
      if (dist[u] === Infinity) this.#touched.push(u);
      dist[u] = d;
      amt[u] = newAmt;
      cltv[u] = u === q.source ? cltv[v]! : cltv[v]! + pol.cltvDelta;
      this.#next[u] = e;
      this.#push(u);
    }
  }

  /** Clears the labels of the nodes the last search touched (a search touches few of a big graph's nodes). */
  #reset(): void {
    for (const v of this.#touched) {
      this.#dist[v] = Infinity;
      this.#next[v] = -1;
      this.#pos[v] = -1;
    }
    this.#touched.length = 0;
    this.#heap.length = 0;
  }

  /** The route the search found, read from the payer along the next-hop pointers. */
  #route(q: RouteQuery): Route {
    const g = this.graph;
    const edges: number[] = [];
    const amounts: number[] = [];
    let cur = q.source;
    while (cur !== q.target) {
      const e = this.#next[cur]!;
      edges.push(e);
      const to = g.to(e);
      amounts.push(this.#amt[to]!);
      cur = to;
      if (edges.length > g.nodeCount) throw new Error('router: cycle in next-hop pointers (bug)');
    }
    return { edges, amounts, feeMsat: amounts[0]! - q.amountMsat, cltvTotal: this.#cltv[q.source]! };
  }

  /** Every node's one neighbour (when all its channels go to the same node) and every node's in-edges from the others; rebuilt when the graph changes. */
  #deadEnds(): void {
    const g = this.graph;
    if (this.#deadEndsVersion === g.version && this.#soleIn.length === g.nodeCount) return;
    const soleIn = new Int32Array(g.nodeCount);
    for (let u = 0; u < g.nodeCount; u++) {
      const edges = g.inEdges[u]!;
      let only = edges.length ? g.from(edges[0]!) : -1;
      for (const e of edges) if (g.from(e) !== only) only = -1;
      soleIn[u] = only;
    }
    this.#relayIn = g.inEdges.map((edges, v) => edges.filter((e) => soleIn[g.from(e)] !== v));
    this.#soleIn = soleIn;
    this.#deadEndsVersion = g.version;
  }

  #ensure(n: number): void {
    if (this.#dist.length >= n) return;
    const size = Math.max(n, this.#dist.length * 2, 16);
    this.#dist = new Float64Array(size).fill(Infinity);
    this.#amt = new Float64Array(size);
    this.#cltv = new Float64Array(size);
    this.#next = new Int32Array(size).fill(-1);
    this.#pos = new Int32Array(size).fill(-1);
    this.#touched.length = 0;
  }

  // Indexed binary min-heap on dist[], with decrease-key through #pos.
  #push(v: number): void {
    const h = this.#heap;
    let i = this.#pos[v]!;
    if (i < 0) {
      i = h.length;
      h.push(v);
      this.#pos[v] = i;
    }
    this.#up(i);
  }

  #pop(): number {
    const h = this.#heap;
    const top = h[0]!;
    const last = h.pop()!;
    this.#pos[top] = -2;
    if (h.length) {
      h[0] = last;
      this.#pos[last] = 0;
      this.#down(0);
    }
    return top;
  }

  #up(i: number): void {
    const h = this.#heap;
    const d = this.#dist;
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
    const d = this.#dist;
    const v = h[i]!;
    const n = h.length;
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
