import type { ChannelGraph } from './graph.js';

/** Fields of one edge's row in `RelayIndex.edges`. */
export const EDGE = { capacity: 0, minHtlc: 1, maxHtlc: 2, baseFee: 3, feeRate: 4, cltvDelta: 5 } as const;
/** Numbers per edge row (a power of two: rows do not straddle more cache lines than they must). */
export const EDGE_STRIDE = 8;

/**
 * What a backward route search reads of the graph, per graph version. A
 * node whose channels all go to one node v (a payer or payee on one
 * router) is a dead end on v: it can only relay back to v, which is settled
 * when its in-edges are read, so unless it is the payer it is never on a
 * route and never labelled at all. Each edge's sender and announced
 * policy are copied into flat arrays: a search reads thousands of edges,
 * and a row of numbers is one memory access where a channel object and its
 * policy objects are several.
 */
export class RelayIndex {
  /** soleIn[u]: the one node all of u's channels lead to (a leaf's router), else -1. */
  soleIn = new Int32Array(0);
  /** relayIn[v]: v's in-edges from nodes that are not dead ends on v, in inEdges order. */
  relayIn: number[][] = [];
  /** Nodes with channels to more than one node: those a search may go through. */
  relays = 0;
  /** sender[e]: the node that sends over edge e. */
  sender = new Int32Array(0);
  /** edges[e * EDGE_STRIDE + EDGE.field]: capacity and the sender's policy of edge e. */
  edges = new Float64Array(0);
  #version = -1;

  constructor(private readonly graph: ChannelGraph) {}

  /** Rebuilds the index if the graph changed since it was built; returns the graph version it is for. */
  update(): number {
    const g = this.graph;
    if (this.#version === g.version && this.soleIn.length === g.nodeCount) return this.#version;
    const soleIn = new Int32Array(g.nodeCount);
    let relays = 0;
    for (let u = 0; u < g.nodeCount; u++) {
      const edges = g.inEdges[u]!;
      let only = edges.length ? g.from(edges[0]!) : -1;
      for (const e of edges) if (g.from(e) !== only) only = -1;
      soleIn[u] = only;
      if (only === -1 && edges.length) relays++;
    }
    this.relayIn = g.inEdges.map((edges, v) => edges.filter((e) => soleIn[g.from(e)] !== v));
    this.soleIn = soleIn;
    this.relays = relays;
    this.#copyEdges();
    this.#version = g.version;
    return this.#version;
  }

  #copyEdges(): void {
    const g = this.graph;
    const n = g.channels.length * 2;
    this.sender = new Int32Array(n);
    this.edges = new Float64Array(n * EDGE_STRIDE);
    for (let e = 0; e < n; e++) {
      const ch = g.channels[e >> 1]!;
      const pol = ch.policy[e & 1]!;
      const row = e * EDGE_STRIDE;
      this.sender[e] = ch.nodes[e & 1]!;
      this.edges[row + EDGE.capacity] = ch.capacityMsat;
      this.edges[row + EDGE.minHtlc] = pol.minHtlcMsat;
      this.edges[row + EDGE.maxHtlc] = pol.maxHtlcMsat;
      this.edges[row + EDGE.baseFee] = pol.baseFeeMsat;
      this.edges[row + EDGE.feeRate] = pol.feeRatePpm;
      this.edges[row + EDGE.cltvDelta] = pol.cltvDelta;
    }
  }
}
