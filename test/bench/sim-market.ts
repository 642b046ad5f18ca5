/**
 * The sim bench's markets and one timed run of one: BUYERS LangGraph buyers
 * and SELLERS sellers, Poisson arrivals sized to reach the target number of
 * calls in 10 minutes of market. Two markets: 'bundles' (10-call bundles,
 * tasks of 10 calls: one payment, nine token reuses per task) and
 * 'every-buy' (per-call prices, tasks of one call: every task, and every
 * call, is a paid purchase). Rows stream to a temporary purchases.csv as in
 * a real run; the crypto counter's counts are this run's.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { validateScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { FileSink } from '../../sim/metrics/sink.js';
import type { CryptoCounter } from './crypto-count.js';

export const BUYERS = Number(process.env.SIM_BENCH_BUYERS ?? 10_000);
export const SELLERS = Number(process.env.SIM_BENCH_SELLERS ?? 1_000);
const DURATION_SEC = 600;

/** The two bench markets: tasks of 10 calls on 10-call bundles, or tasks of one call each paid for. */
export type MarketKind = 'bundles' | 'every-buy';

/** Calls per task (and per payment) in each market. */
export const CALLS_PER_TASK = { bundles: 10, 'every-buy': 1 } as const satisfies Record<MarketKind, number>;

/** Node visits of one task: discover, quote, decide, authorize, pay, consume, evaluate, then consume + evaluate per reuse. */
export const nodesPerTask = (market: MarketKind) => 7 + 2 * (CALLS_PER_TASK[market] - 1);

/** One way of running a market: which market, which executor runs the buyer graphs, and whether invoices are signed. */
export interface Variant {
  name: string;
  market: MarketKind;
  executor: 'direct' | 'langgraph';
  invoices: 'signed' | 'unsigned';
}

/** The bundles market signed on the direct executor: the row the time, growth, graph-floor and RSS targets read. */
export const SIGNED = 'direct executor, signed invoices';
/** The every-buy market signed on the direct executor: the row the crypto-floor target reads. */
export const EVERY_BUY = 'every task buys (1-call tasks), direct executor, signed invoices';

export const VARIANTS = [
  { name: SIGNED, market: 'bundles', executor: 'direct', invoices: 'signed' },
  { name: 'direct executor, unsigned invoices', market: 'bundles', executor: 'direct', invoices: 'unsigned' },
  {
    name: 'LangGraph runtime, signed invoices',
    market: 'bundles',
    executor: 'langgraph',
    invoices: 'signed',
  },
  { name: EVERY_BUY, market: 'every-buy', executor: 'direct', invoices: 'signed' },
] as const satisfies readonly Variant[];

export function benchScenario(
  targetCalls: number,
  { market, invoices }: Pick<Variant, 'market' | 'invoices'>,
) {
  const calls = CALLS_PER_TASK[market];
  const tasks = targetCalls / calls;
  const ratePerMin = tasks / BUYERS / (DURATION_SEC / 60);
  const v = validateScenario(
    {
      name: 'bench',
      seed: 1,
      durationSec: DURATION_SEC,
      drainSec: 120,
      network: {
        topology: { kind: 'hub_and_spoke', hubs: 8 },
        hopLatency: 10,
        sellerChannelMsat: 10_000_000_000,
        ...(invoices === 'unsigned' && { invoices }),
      },
      registry: { searchLimit: 3 },
      sellers: [
        {
          name: 'feed',
          count: SELLERS,
          archetype: 'data-feed',
          price: { kind: 'fixed', msat: 2000 },
          ...(market === 'bundles' && { tiers: [{ kind: 'bundle', calls }] }),
          latency: { kind: 'fixed', ms: 20 },
        },
      ],
      buyers: [
        {
          name: 'b',
          count: BUYERS,
          policy: { name: 'allow_all' },
          budgetMsat: 100_000_000,
          arrivals: { process: 'poisson', ratePerMin },
          tasks: [
            {
              capability: 'anomalies:read',
              calls,
              value: { dist: 'fixed', msat: 1_000_000 },
            },
          ],
        },
      ],
    },
    scenarioChecks,
  );
  if (!v.ok) throw new Error(v.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return v.scenario;
}

/** What one run measured. */
export interface RunFigures {
  purchases: number;
  paid: number;
  tasks: number;
  conservation: boolean;
  setupMs: number;
  runMs: number;
  /** The most memory the process held resident up to the end of the run (each run has a process of its own), bytes. */
  peakRss: number;
  csvMb: number;
  /** Main-thread garbage-collection pauses during the run (perf_hooks 'gc' entries), ms. */
  gcMs: number;
}

/** One run of the market for `target` calls as `variant`. */
export async function oneRun(target: number, variant: Variant, counter: CryptoCounter) {
  const dir = mkdtempSync(join(tmpdir(), 'sim-bench-'));
  const t0 = performance.now();
  let setupMs = 0;
  counter.take();
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const { summary } = await runScenario(benchScenario(target, variant), {
    executor: variant.executor,
    sinks: { purchases: new FileSink(join(dir, 'purchases.csv')) },
    onMarket: () => {
      setupMs = performance.now() - t0;
    },
  });
  const runMs = performance.now() - t0;
  // The kernel's high-water mark (ru_maxrss, KiB): every byte the process ever held resident, not a sample of it.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  for (const e of gc.takeRecords()) gcMs += e.duration;
  gc.disconnect();
  const counts = counter.take();
  const csvMb = statSync(join(dir, 'purchases.csv')).size / 2 ** 20;
  rmSync(dir, { recursive: true, force: true });
  const figures: RunFigures = {
    purchases: summary.purchases.total,
    paid: summary.money.sales,
    tasks: summary.counts.tasks,
    conservation: summary.conservation.holds,
    setupMs,
    runMs,
    peakRss,
    csvMb,
    gcMs,
  };
  return { figures, counts };
}
