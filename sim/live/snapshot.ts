/**
 * What the live page receives, several times a second: a bounded picture of
 * the market (aggregates, the most recent agents and purchases), never the
 * whole history, so a market of thousands of agents stays cheap to send and
 * draw. The page is a pure function of the latest snapshot.
 */
export interface Snapshot {
  mode: 'live' | 'replay';
  scenario: string;
  backend: 'embedded' | 'regtest';
  /** `stopped`: a live run stopped before its end (Ctrl-C); what it recorded up to then is kept. */
  status: 'running' | 'paused' | 'finished' | 'stopped' | 'failed';
  /** Why the run failed, when it did. */
  error?: string;
  /** Market time shown (ms since the run started) and where the run ends. */
  tMs: number;
  endMs: number;
  speed: number;
  totals: Totals;
  /** At most MAX_SELLERS (seller-book.ts): the most active, in the order first seen. */
  sellers: SellerView[];
  /** Sellers the market has that `sellers` leaves out (0 in a market of at most MAX_SELLERS). */
  sellersNotShown: number;
  /** At most MAX_GROUPS (agent-views.ts): the most active, in the order first seen. */
  groups: GroupView[];
  /** Groups that `groups` leaves out (0 in a market of at most MAX_GROUPS groups). */
  groupsNotShown: number;
  /** The most recently active agents (at most MAX_AGENTS); the groups carry every agent tracked. */
  agents: AgentView[];
  /**
   * Agents the run's files name past MAX_UNDECLARED_AGENTS undeclared ones (a replay's): counted here
   * only, in no group nor agent row (the totals count their purchases).
   */
  agentsNotTracked: number;
  /** How many purchases are at each step right now. */
  phases: Record<Phase, number>;
  /** Purchases in progress (the most recent MAX_FLOWS). */
  flows: FlowView[];
  /** The latest finished purchases, newest first. */
  recent: RecentView[];
  /** Failed purchases by outcome and by seller (at most MAX_SELLERS sellers, those with the most failures). */
  failures: { outcome: string; count: number }[];
  failuresBySeller: Record<string, Record<string, number>>;
  /** Sellers with failures that `failuresBySeller` leaves out. */
  failingSellersNotShown: number;
  resale: ResaleView[];
  /** Faults and presenter actions, newest first. */
  faults: { tMs: number; kind: string; target: string; detail: string }[];
  graph: GraphView;
}

export type Phase = 'discover' | 'quote' | 'decide' | 'pay' | 'consume';
export const PHASES: readonly Phase[] = ['discover', 'quote', 'decide', 'pay', 'consume'];

export interface Totals {
  purchases: number;
  successes: number;
  byOutcome: Record<string, number>;
  spentMsat: number;
  feesMsat: number;
  revenueMsat: number;
  sales: number;
  tasks: number;
  tasksDone: number;
  /** Sum of every channel (embedded network): constant while money only moves. */
  networkMsat?: number;
  networkStartMsat?: number;
  /** The run's conservation check, once it has ended. */
  conservation?: { ok: boolean; detail: string };
}

export interface SellerView {
  name: string;
  group: string;
  /** Last price quoted in a 402 challenge. */
  quotedMsat: number;
  /** Price set by the presenter, when changed. */
  priceMsat?: number;
  sales: number;
  revenueMsat: number;
  failures: number;
  offline: boolean;
}

export interface GroupView {
  name: string;
  role: string;
  agents: number;
  active: number;
  /** Total budget of the group's agents (0 when unknown). */
  budgetMsat: number;
  spentMsat: number;
  feesMsat: number;
  tasks: number;
  done: number;
}

export interface AgentView {
  name: string;
  group: string;
  role: string;
  phase: Phase | 'idle';
  budgetMsat: number;
  spentMsat: number;
  feesMsat: number;
  tasks: number;
  done: number;
}

export interface FlowView {
  buyer: string;
  seller: string;
  phase: Phase;
  amountMsat: number;
  hops: number;
}

export interface RecentView {
  tMs: number;
  buyer: string;
  seller: string;
  role: string;
  outcome: string;
  paidMsat: number;
  feeMsat: number;
  hops: number;
}

export interface ResaleView {
  reseller: string;
  slices: number;
  sliceRevenueMsat: number;
  subAgents: number;
  restockMsat: number;
}

export interface GraphNode {
  id: string;
  role: string;
  online: boolean;
  /** Outbound liquidity (sum of this side of its channels). */
  localMsat: number;
  /** Agents folded into this node when the graph is aggregated. */
  members: number;
}

export interface GraphChannel {
  a: string;
  b: string;
  capacityMsat: number;
  aMsat: number;
  bMsat: number;
  /** Balance moved since the previous snapshot. */
  moved: boolean;
}

export interface GraphView {
  nodes: GraphNode[];
  channels: GraphChannel[];
  /** True when agents are folded into one node per group. */
  aggregated: boolean;
  /** What the graph can show on this backend or in this mode. */
  note: string;
}
