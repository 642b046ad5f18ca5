import type { Percentiles } from './histogram.js';
import type { Conservation } from './conservation.js';
import type { PurchaseRole, Step } from './rows.js';

/**
 * The shape of summary.json. Everything in it is a function of the scenario
 * and the seed (no wall time, no versions: those go to meta.json), so two runs
 * with the same seed produce the same bytes.
 */
export interface Summary {
  scenario: string;
  description: string;
  seed: string | number;
  backend: 'embedded' | 'regtest';
  durationMs: number;
  endedAtMs: number;
  counts: {
    buyers: number;
    sellers: number;
    resellers: number;
    subAgents: number;
    routers: number;
    tasks: number;
  };
  purchases: {
    total: number;
    byOutcome: Record<string, number>;
    successRate: number;
    tokenReuseRate: number;
  };
  money: {
    spentMsat: number;
    feesMsat: number;
    revenueMsat: number;
    sales: number;
    meanPaidMsat: number;
    feeRate: number;
  };
  latency: {
    total: Percentiles;
    steps: Record<Step, Percentiles>;
    cdf: { value: number; fraction: number }[];
  };
  prices: Record<string, PriceStats>;
  welfare: WelfareStats;
  groups: Record<string, GroupStats>;
  sellers: Record<string, { revenueMsat: number; sales: number; refunds: number }>;
  resale: Record<
    string,
    { costMsat: number; revenueMsat: number; marginMsat: number; marginRate: number; sales: number }
  >;
  series: { bucketMs: number; points: SeriesPoint[] };
  faults: { atMs: number; kind: string; target: string; detail: string }[];
  conservation: Conservation;
}

/** Paid prices of one capability: the spread is the price dispersion (coefficient of variation). */
export interface PriceStats {
  n: number;
  meanMsat: number;
  sdMsat: number;
  cv: number;
  minMsat: number;
  maxMsat: number;
}

/** Task value minus what it cost, summed over tasks. */
export interface WelfareStats {
  tasks: number;
  done: number;
  valueMsat: number;
  costMsat: number;
  welfareMsat: number;
  perTaskMsat: number;
  /** End tasks by why their run ended (done, no_sellers, budget_exhausted, …). */
  byStopReason: Record<string, number>;
}

/** Per group of agents (a buyer group is one policy/decider setting: the policy comparison). */
export interface GroupStats {
  role: PurchaseRole;
  purchases: number;
  successes: number;
  successRate: number;
  spentMsat: number;
  feesMsat: number;
  tasks: number;
  done: number;
  welfareMsat: number;
  welfarePerTaskMsat: number;
  latencyP50: number;
  latencyP95: number;
}

/** One time bucket of the run. */
export interface SeriesPoint {
  t: number;
  purchases: number;
  successes: number;
  spentMsat: number;
  meanPriceMsat: number;
}
