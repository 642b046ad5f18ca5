import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { z } from 'zod';
import { posInt, positiveNumber } from './fields.js';
import { networkFileNodeNames } from './node-names.js';
import { plural } from '../report/format.js';

/**
 * Most nodes one run builds: buyers, sellers (and a wrong-payee seller's
 * shadow node), resellers and their sub-agents, routers. Every node is held
 * in memory for the whole run, and its setup is paid before the first
 * purchase. Measured on an idle market (no tasks), the heap after setup:
 * a buyer about 5 kB, a seller about 35 kB and 2 ms of setup (a listing, a
 * paywall, keys, channels); 50,000 sellers took 1.8 GB of heap and 99 s of
 * setup, 100,000 buyers with 10,000 sellers 0.9 GB and 13 s. So a market
 * of 50,000 nodes of any kind fits Node's default heap (4 GB on a 64-bit
 * machine with 16 GB of memory) with room for the run itself; 100,000
 * sellers would take about 3.5 GB before the first purchase. The bench
 * market (10,000 buyers × 1,000 sellers) is 11,008 nodes.
 */
export const MAX_NODES = 50_000;

/**
 * Most channels one run opens: between routers, from a router to each
 * seller, shadow node and reseller (`network.channels.seller.count` each),
 * and from each payer to its router (sim/scenario/channels.ts counts them).
 * Every channel is held in memory for the whole run, opened before the
 * first purchase. Measured on idle markets (no buyers; heap after setup,
 * after a gc), each channel past a node's own took about 0.75 kB and a few
 * µs: 1,000 sellers of 1,000 channels each (1,000,000 channels) 0.78 GB of
 * heap and 3.5 s of setup, of 3,000 each 2.3 GB and 11 s; 49,990 sellers of
 * 20 channels each (999,800) 2.1 GB and 96 s, against 1.4 GB and 57 s with
 * one channel each. So a market at both limits (50,000 nodes, 1,000,000
 * channels) fits Node's default heap (4 GB) with room for the run, where
 * quickstart with `seller.count: 100000000` (of 1,000 msat each) ran out of
 * memory at setup.
 */
export const MAX_CHANNELS = 1_000_000;

/**
 * Most calls one run makes, expected from the scenario (sim/scenario/run-work.ts counts them):
 * each buyer task's `calls`, each sub-agent task's `sliceCalls`, and each repricing step (a
 * registry search, about a call's work), over `durationSec`. Every one is simulated in turn on
 * one core, so this bounds a run's wall time; its memory is bounded by time windows, not calls
 * (docs/simulator.md, "Memory of a long run"). The scale bench's target is 1,000,000 calls
 * (docs/benchmarks.md): 4.5 min signed at 3,700 calls/s in its bundles market (10-call tasks),
 * 516 calls/s when every call is a task of its own; a quickstart-sized market at 500 tasks a
 * second of market time ran about 110 tasks/s. So 10,000,000 calls (and so at most 10,000,000
 * tasks) take from about 45 minutes to several hours, where quickstart with
 * `durationSec: 1000000000` (500,000,000 tasks) would have taken about 35 days.
 */
export const MAX_RUN_CALLS = 10_000_000;

/**
 * Most quotes one run asks for, expected from the scenario (sim/scenario/quote-work.ts counts
 * them): each buyer task, and each upstream purchase a seller makes, quotes every seller its search
 * returns, at most `registry.searchLimit` of those that match it. A quote is a 402 challenge (an
 * invoice made and signed, its payment hash, the buyer's checks), simulated in turn like a call,
 * and not counted in `MAX_RUN_CALLS`: 1 buyer's 299 one-call tasks against 1,000 sellers
 * (`searchLimit: 1000`, 299,000 quotes) took 4.5 min, and 59 took 1.7 min of CPU (about 1.5 ms a
 * quote, where a one-call task of a few quotes takes about 2 ms). So 10,000,000 quotes take a few
 * hours, as `MAX_RUN_CALLS` calls do; a quote searched again, or asked again within a task, is
 * not counted.
 */
export const MAX_RUN_QUOTES = 10_000_000;

/**
 * Longest market time (`durationSec`): 365 days, the longest token lifetime and pass a seller
 * sells (services/sellers/config.ts), so every token a run sells can expire within it. The
 * market's clock starts on 2026-01-01, and an invoice's timestamp (BOLT11: 35 bits of seconds)
 * ends in 3058: a run that reaches it (about 1,000 years of market) has every seller answer
 * 503 instead of a 402. The run's work is bounded by `MAX_RUN_CALLS`, not by this.
 */
export const MAX_DURATION_SEC = 365 * 86_400;

/**
 * Highest Poisson arrival rate of one agent, a minute: a mean gap of 10 ms. Gaps are drawn,
 * rounded to whole ms and at least 1 ms (sim/engine/draws.ts), which lengthens the mean gap:
 * by about 0.5% at 10 ms, 35% at 1 ms, where a rate of 10^308 arrived once a millisecond. For
 * more arrivals, more agents (`count`).
 */
export const MAX_RATE_PER_MIN = 6_000;

/** Shortest fixed arrival gap (`everySec`): 1 ms, the clock's step; a shorter one was made 1 ms. */
export const MIN_EVERY_SEC = 0.001;

const fmt = (n: number) => n.toLocaleString('en-US');

/** `durationSec`: a positive number of seconds, at most `MAX_DURATION_SEC`. */
export const durationSec = () =>
  positiveNumber().max(MAX_DURATION_SEC, {
    error: `expected at most ${fmt(MAX_DURATION_SEC)} s (365 days): one run covers at most a year of market time, the longest lifetime of a token a seller sells`,
  });

/**
 * `drainSec`: at least 0 s, at most `MAX_DURATION_SEC`, as `durationSec`: the drain is market time
 * too, and a token a run sells expires within it.
 */
export const drainSec = () =>
  z
    .number()
    .min(0)
    .max(MAX_DURATION_SEC, {
      error: `expected at most ${fmt(MAX_DURATION_SEC)} s (365 days): tasks in flight get at most a year of market time to finish, as durationSec covers at most a year`,
    });

/** `arrivals.ratePerMin` (Poisson): above 0, at most `MAX_RATE_PER_MIN`. */
export const ratePerMin = () =>
  positiveNumber().max(MAX_RATE_PER_MIN, {
    error: `expected at most ${fmt(MAX_RATE_PER_MIN)} a minute (a mean gap of 10 ms): arrival gaps are drawn in whole milliseconds, at least 1, which would slow a faster rate; for more arrivals raise the group's count`,
  });

/** `arrivals.everySec` (fixed): at least `MIN_EVERY_SEC`. */
export const everySec = () =>
  z.number({ error: 'expected a number of seconds' }).min(MIN_EVERY_SEC, {
    error: `expected at least ${MIN_EVERY_SEC} s (1 ms): arrivals come in whole milliseconds; for more arrivals raise the group's count`,
  });

/**
 * Highest `weight` of a task type: weights are relative (a task type is drawn with its weight's share
 * of the group's sum), so 1,000,000 to 1 is finer than any run draws; a sum of larger weights could
 * overflow to Infinity, and the work of the group could not be counted.
 */
export const MAX_TASK_WEIGHT = 1_000_000;

/** A task type's `weight`: above 0, at most `MAX_TASK_WEIGHT`. */
export const taskWeight = () =>
  positiveNumber().max(MAX_TASK_WEIGHT, {
    error: `expected at most ${fmt(MAX_TASK_WEIGHT)}: weights are relative, a task type's share of its group's sum`,
  });

/**
 * Highest `registry.searchLimit`: the registry answers a search with at most 1,000 listings and
 * refuses a larger `limit` (services/registry/schema.ts, `querySchema`), so every search of
 * a run asking for more would fail.
 */
export const MAX_SEARCH_LIMIT = 1000;

/** `registry.searchLimit`: a positive integer, at most `MAX_SEARCH_LIMIT`. */
export const searchLimit = () =>
  posInt().max(MAX_SEARCH_LIMIT, {
    error: `expected at most ${fmt(MAX_SEARCH_LIMIT)}: the registry answers a search with at most ${fmt(MAX_SEARCH_LIMIT)} listings and refuses a larger limit`,
  });

/** A task's `calls`: a positive integer, at most `MAX_RUN_CALLS` (a run's whole allowance). */
export const taskCalls = () =>
  posInt().max(MAX_RUN_CALLS, {
    error: `expected at most ${fmt(MAX_RUN_CALLS)}: one run makes at most ${fmt(MAX_RUN_CALLS)} calls, each simulated in turn`,
  });

/**
 * `network.channels.seller.count`: channels per seller (and reseller), a
 * positive integer of at most `MAX_CHANNELS`, refused at its field; the
 * market's total is checked with the rest (`checkMarketChannels`).
 */
export const channelCount = () =>
  posInt().max(MAX_CHANNELS, {
    error: `expected at most ${fmt(MAX_CHANNELS)}: one run opens at most ${fmt(MAX_CHANNELS)} channels, each held in memory for the whole run`,
  });

/**
 * What to do about a market over the limit: fewer nodes; more purchases come
 * from a higher arrival rate per buyer, not from more buyers.
 */
const FEWER =
  "lower the groups' counts; for more purchases raise arrivals.ratePerMin (or shorten everySec) rather than the number of buyers";

/**
 * The `count` of a group (sellers, buyers, resellers, a reseller's
 * sub-agents) or of the topology's routers: a positive integer of at most
 * `MAX_NODES`, refused at its field before any node is named.
 */
export const groupCount = () =>
  posInt().max(MAX_NODES, {
    error: `expected at most ${fmt(MAX_NODES)}: one run builds at most ${fmt(MAX_NODES)} nodes (agents and routers), each held in memory for the whole run; ${FEWER}`,
  });

/** The nodes a scenario makes, by kind. */
export interface MarketNodes {
  buyers: number;
  sellers: number;
  /** A wrong-payee seller's second node, the one it invoices from. */
  shadows: number;
  resellers: number;
  subAgents: number;
  routers: number;
}

/** Counts the nodes a scenario makes, without naming them. */
export function marketNodes(s: Scenario): MarketNodes {
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((a, x) => a + f(x), 0);
  return {
    buyers: sum(s.buyers, (g) => g.count),
    sellers: sum(s.sellers, (g) => g.count),
    shadows: sum(s.sellers, (g) => (g.adversarial?.mode === 'wrong-payee' ? g.count : 0)),
    resellers: sum(s.resellers, (g) => g.count),
    subAgents: sum(s.resellers, (g) => g.count * g.subAgents.count),
    routers: routerCount(s),
  };
}

/** The routing nodes: a SimLN `network.file`'s nodes when it has one, else the topology's. */
function routerCount(s: Scenario): number {
  const file = s.network.file;
  const fromFile = file === undefined ? undefined : networkFileNodeNames(file)?.length;
  const t = s.network.topology;
  return fromFile ?? (t.kind === 'hub_and_spoke' ? t.hubs : t.routers);
}

/**
 * Refuses a market of more than `MAX_NODES` nodes, naming each kind's count;
 * checked before anything names the nodes (each group is within the limit
 * on its own: `groupCount`).
 */
export function checkMarketSize(s: Scenario): ScenarioIssue[] {
  const n = marketNodes(s);
  const total = Object.values(n).reduce((a, b) => a + b, 0);
  if (total <= MAX_NODES) return [];
  const parts = Object.entries(n)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => plural(count, ...KIND[kind as keyof MarketNodes]));
  const message =
    `this market makes ${fmt(total)} nodes (${parts.join(', ')}), more than the ${fmt(MAX_NODES)} one run builds: ` +
    `each is held in memory for the whole run; ${FEWER}`;
  return [{ path: '', message }];
}

/** Each kind of node, one and many. */
const KIND: Record<keyof MarketNodes, [string, string]> = {
  buyers: ['buyer', 'buyers'],
  sellers: ['seller', 'sellers'],
  shadows: ['shadow node', 'shadow nodes'],
  resellers: ['reseller', 'resellers'],
  subAgents: ['sub-agent', 'sub-agents'],
  routers: ['router', 'routers'],
};
