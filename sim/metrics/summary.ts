import type { Percentiles } from './histogram.js';
import type { Conservation } from './conservation.js';
import type { PurchaseRole, Step } from './rows.js';
import type { FunnelStats } from './funnel.js';
import type { WelfareStats } from './welfare.js';
import type { NegotiationStats } from './negotiation.js';

export type { FunnelStats, WelfareStats };

/**
 * The shape of summary.json. Everything in it is a function of the scenario
 * and the seed (no wall time, no versions: those go to meta.json), so two runs
 * with the same seed produce the same bytes. docs/simulator.md defines each field.
 * A rate, a mean over samples or a quantile with nothing to measure (a zero
 * denominator, no samples) is null, never 0.
 */
export interface Summary extends RowAggregates {
  scenario: string;
  description: string;
  seed: string | number;
  backend: 'embedded' | 'regtest';
  /** 'unsigned' when the scenario ran without invoice signatures (network.invoices); absent: signed. */
  invoices?: 'unsigned';
  /** sha256 of the resolved scenario (after overrides), as JSON. */
  scenarioHash: string;
  durationMs: number;
  endedAtMs: number;
  /** true when the run was stopped before its end (Ctrl-C or SIGTERM during `sim run` or the demo): its figures cover the market up to endedAtMs only; absent: it ran its whole length. */
  stopped?: true;
  counts: {
    buyers: number;
    sellers: number;
    resellers: number;
    subAgents: number;
    routers: number;
    tasks: number;
  };
  /** What sellers booked on their side, per seller group: settled invoices and refunds. */
  sellers: Record<string, { revenueMsat: number; sales: number; refunds: number }>;
  /** Per reseller: what it paid upstream, what it sold, and marginMsat / costMsat (null when it bought nothing). */
  resale: Record<
    string,
    { costMsat: number; revenueMsat: number; marginMsat: number; marginRate: number | null; sales: number }
  >;
  faults: { atMs: number; kind: string; target: string; detail: string }[];
  /** Scenario checks that only a run can answer (a seller nobody contacted, a fault that hit nothing). */
  warnings: string[];
  conservation: Conservation;
  /** Per buyer group that negotiated: agreements, failures to agree, rounds, savings against posted prices. */
  negotiation?: Record<string, NegotiationStats>;
  /** Unit prices posted by repricing sellers, per seller, from the start (absent when no seller reprices). */
  postedPrices?: Record<string, PostedPrice[]>;
}

/** A repricing seller's unit price from `atMs` on, and the move that set it. */
export interface PostedPrice {
  atMs: number;
  msat: number;
  move: string;
}

/** The part of summary.json rebuilt from purchases.csv and tasks.csv alone. */
export interface RowAggregates {
  purchases: FunnelStats & {
    total: number;
    byOutcome: Record<string, number>;
    /** Failed payments by Lightning failure reason. */
    byFailure: Record<string, number>;
  };
  money: {
    spentMsat: number;
    feesMsat: number;
    /** Payments that went through. */
    sales: number;
    /** Mean price paid per call (`pricePerCall`, call-price.ts) over every capability (null without one). */
    meanPaidMsat: number | null;
    /** feesMsat / spentMsat (null when nothing was spent). */
    feeRate: number | null;
  };
  latency: {
    /** End-to-end time of attempted purchases (paid, tried to pay, or used a held token). */
    attempts: Percentiles;
    /** Per step, over the attempts in which the step happened. */
    steps: Record<Step, Percentiles>;
    /** Empirical CDF of `attempts`. */
    cdf: { value: number; fraction: number }[];
  };
  prices: Record<string, PriceStats>;
  welfare: WelfareStats;
  groups: Record<string, GroupStats>;
  /** Who got the buyers' money: per payee revenue and share, and its concentration (HHI, 0..1; null without revenue). */
  market: { revenueMsat: number; hhi: number | null; sellers: Record<string, SellerShare> };
  /** Payment success by the invoice amount, in power-of-two bins. */
  successByAmount: AmountBin[];
  series: { bucketMs: number; points: SeriesPoint[] };
}

/**
 * Prices paid per call for one capability (`pricePerCall`, call-price.ts: a bundle's price over its calls;
 * resellers' restocks and time passes left out): the spread is the price dispersion (coefficient of variation).
 */
export interface PriceStats {
  n: number;
  meanMsat: number;
  /** Sample sd (n − 1) of the prices per call; null with a single price (one price has no spread). */
  sdMsat: number | null;
  /** sdMsat / meanMsat: the price dispersion; null with a single price, never 0 for one price. */
  cv: number | null;
  minMsat: number;
  maxMsat: number;
}

/** Per group of agents (a buyer group is one policy/decider setting: the policy comparison). */
export interface GroupStats extends FunnelStats {
  role: PurchaseRole;
  spentMsat: number;
  feesMsat: number;
  /** Value the group's tasks earned minus what they paid. */
  surplusMsat: number;
  /** surplusMsat / tasks (null without tasks). */
  surplusPerTaskMsat: number | null;
  /** Over the group's attempted purchases (null without any). */
  latencyP50: number | null;
  latencyP95: number | null;
  latencyCdf: { value: number; fraction: number }[];
}

/** One payee's revenue and share of all money paid. */
export interface SellerShare {
  revenueMsat: number;
  sales: number;
  share: number;
}

/** Payment attempts whose invoice amount falls in [minMsat, maxMsat], and how many went through. */
export interface AmountBin {
  minMsat: number;
  maxMsat: number;
  attempts: number;
  succeeded: number;
  rate: number;
}

/** One time bucket of the run (attempts counted by their start). */
export interface SeriesPoint {
  t: number;
  attempts: number;
  delivered: number;
  spentMsat: number;
  /** Mean price paid per call in the bucket (`pricePerCall`; null without one). */
  meanPriceMsat: number | null;
  /** Per seller: revenue and mean quoted invoice amount in this bucket (null when it quoted none). */
  sellers: Record<string, { revenueMsat: number; meanQuotedMsat: number | null }>;
}
