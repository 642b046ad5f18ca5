import type { ChannelGraph } from './graph.js';
import { forwardingFee } from '../../money.js';
import { NodeHeap } from './node-heap.js';
import { EDGE, EDGE_STRIDE, type RelayIndex } from './relay-index.js';
import type { RouteQuery } from './router.js';

// LND's defaults: a failed attempt "costs" 100 sat + 0.1% of the amount, weighed by 1/probability;
// locking funds is priced at 15 parts per billion per block of CLTV.
const ATTEMPT_COST_MSAT = 100_000;
const ATTEMPT_COST_PPM = 1000;
const RISK_FACTOR = 15e-9;
const MIN_PROBABILITY = 0.01;

/**
 * The labels of one backward Dijkstra search from a payee: each labelled
 * node's distance, the amount it must send, its CLTV total, its next edge
 * toward the payee, and the order in which nodes were settled. A search
 * can stop at any settled node and go on later from where it stopped.
 */
export class RouteSearch {
  dist = new Float64Array(0);
  amt = new Float64Array(0);
  cltv = new Float64Array(0);
  next = new Int32Array(0);
  /** order[v]: how many nodes were settled before v, or -1 while v is not settled. */
  order = new Int32Array(0);
  /** Nodes settled so far. */
  settled = 0;
  readonly heap = new NodeHeap(this.dist, 0);
  /** Nodes labelled since the last start: the labels reset for these alone (a search touches few of a big graph's nodes). */
  readonly #touched: number[] = [];

  /** Makes room for `n` nodes (the labels of a previous search are dropped when it grows). */
  ensure(n: number): void {
    if (this.dist.length >= n) return;
    const size = Math.max(n, this.dist.length * 2, 16);
    this.dist = new Float64Array(size).fill(Infinity);
    this.amt = new Float64Array(size);
    this.cltv = new Float64Array(size);
    this.next = new Int32Array(size).fill(-1);
    this.order = new Int32Array(size).fill(-1);
    this.heap.resize(this.dist, size);
    this.#touched.length = 0;
  }

  /** Drops every label and queues `target`, which receives `amountMsat` with `finalCltv` to go. */
  start(target: number, amountMsat: number, finalCltv: number): void {
    for (const v of this.#touched) {
      this.dist[v] = Infinity;
      this.next[v] = -1;
      this.order[v] = -1;
    }
    this.heap.clear(this.#touched);
    this.#touched.length = 0;
    this.settled = 0;
    this.dist[target] = 0;
    this.#touched.push(target);
    this.amt[target] = amountMsat;
    this.cltv[target] = finalCltv;
    this.heap.push(target);
  }

  /** Settles the queued node of least distance and returns it (the heap must not be empty). */
  pop(): number {
    const v = this.heap.pop();
    this.order[v] = this.settled++;
    return v;
  }

  /**
   * Labels edge e's sender u through e, toward the settled node v, if e can
   * carry v's amount and that is cheaper. `q.source` is the payer (-1 in a
   * search shared by payers, which must not depend on one); with `prior`,
   * probabilities are those of a payer that has recorded nothing.
   */
  relax(g: ChannelGraph, ix: RelayIndex, e: number, v: number, q: RouteQuery, prior = false): void {
    const dist = this.dist;
    const u = ix.sender[e]!;
    const inAmt = this.amt[v]!;
    if (u === q.source) {
      if (!ownEdgeCarries(g, e, v, inAmt, q)) return;
      // Our own channel: we know its true balance, pay no fee, take no risk.
      this.#label(u, dist[v]!, inAmt, this.cltv[v]!, e);
      return;
    }
    // Every weight is at least the attempt cost at probability 1 (probabilities are at most 1):
    // a sender already labelled within that of v keeps its label whatever the rest comes to.
    if (dist[u]! <= dist[v]! + ATTEMPT_COST_MSAT) return;
    const omniscient = q.kind === 'omniscient';
    if (q.online && omniscient && !q.online[u]) return;
    const edges = ix.edges;
    const row = e * EDGE_STRIDE;
    if (inAmt < edges[row + EDGE.minHtlc]! || inAmt > edges[row + EDGE.maxHtlc]!) return;
    const capacity = edges[row + EDGE.capacity]!;
    if (omniscient ? g.spendable(e) < inAmt : capacity < inAmt) return;
    const fee = forwardingFee(edges[row + EDGE.baseFee]!, edges[row + EDGE.feeRate]!, inAmt);
    const newAmt = inAmt + fee;
    if (newAmt - q.amountMsat > q.maxFeeMsat) return;
    let p = 1;
    if (prior) p = q.mc!.prior(inAmt, capacity);
    else if (!omniscient && q.mc) p = q.mc.probability(e, inAmt, capacity, q.now);
    if (p < MIN_PROBABILITY) return;
    const attemptCost = ATTEMPT_COST_MSAT + (inAmt * ATTEMPT_COST_PPM) / 1e6;
    const cltv = this.cltv[v]! + edges[row + EDGE.cltvDelta]!;
    const weight = fee + inAmt * cltv * RISK_FACTOR + attemptCost / p;
    this.#label(u, dist[v]! + weight, newAmt, cltv, e);
  }

  /** u's label through edge e if `d` beats the one it has. */
  #label(u: number, d: number, amount: number, cltvTotal: number, e: number): void {
    const dist = this.dist;
    if (d < dist[u]!) {
      if (dist[u] === Infinity) this.#touched.push(u);
      dist[u] = d;
      this.amt[u] = amount;
      this.cltv[u] = cltvTotal;
      this.next[u] = e;
      this.heap.push(u);
    }
  }
}

/**
 * Whether the payer's own edge e can carry `inAmt` to its peer v now: the peer online, within the HTLC
 * limits, within the true balance (with `q.ownLimitsAside`, the peer online is enough).
 */
export function ownEdgeCarries(g: ChannelGraph, e: number, v: number, inAmt: number, q: RouteQuery): boolean {
  if (q.online && !q.online[v]) return false;
  if (q.ownLimitsAside) return true;
  const pol = g.channels[e >> 1]!.policy[e & 1]!;
  if (inAmt < pol.minHtlcMsat || inAmt > pol.maxHtlcMsat) return false;
  return g.spendable(e) >= inAmt;
}
