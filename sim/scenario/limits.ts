import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { posInt } from './fields.js';
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

const fmt = (n: number) => n.toLocaleString('en-US');

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
