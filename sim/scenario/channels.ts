import { defaultBalanceMsat } from './buyer-schema.js';
import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { MAX_CHANNELS, marketNodes } from './limits.js';
import { readNetworkFile } from './node-names.js';
import { plural } from '../report/format.js';

/**
 * The channels a market opens on the embedded network, as
 * sim/market/topology.ts and embedded-world.ts open them, and the check
 * that they stay within `MAX_CHANNELS`.
 */

const fmt = (n: number) => n.toLocaleString('en-US');

/** Channels the generated topology opens between routers: hubs fully meshed, a ring, or `edgesPerNode` per new router. */
export function routerLinks(t: Scenario['network']['topology']): number {
  if (t.kind === 'hub_and_spoke') return (t.hubs * (t.hubs - 1)) / 2;
  if (t.kind === 'ring') return t.routers > 1 ? t.routers : 0;
  let links = 0;
  for (let i = 1; i < t.routers; i++) links += Math.min(t.edgesPerNode, i);
  return links;
}

/** The channels a market opens, by class. */
export interface MarketChannels {
  /** Between routers: the generated topology's links, or the channels of a SimLN `network.file`. */
  router: number;
  /** The nodes that get paid (sellers, wrong-payee shadow nodes, resellers), each opening `perPayee`. */
  payees: number;
  perPayee: number;
  /** From each node that pays with a balance (buyers, sub-agents, and sellers and resellers with `balanceMsat`). */
  payer: number;
}

/** Counts a scenario's channels without opening them. */
export function marketChannels(s: Scenario): MarketChannels {
  const n = s.network;
  const file = n.file === undefined ? undefined : readNetworkFile(n.file);
  const m = marketNodes(s);
  const funded = <T>(xs: readonly T[], count: (x: T) => number, msat: (x: T) => number) =>
    xs.reduce((a, x) => a + (msat(x) > 0 ? count(x) : 0), 0);
  return {
    router: file ? file.sim_network.length : n.file === undefined ? routerLinks(n.topology) : 0,
    payees: m.sellers + m.shadows + m.resellers,
    perPayee: n.channels?.seller?.count ?? 1,
    payer:
      funded(
        s.buyers,
        (g) => g.count,
        (g) => g.balanceMsat ?? defaultBalanceMsat(g.budgetMsat),
      ) +
      funded(
        s.sellers,
        (g) => g.count,
        (g) => g.balanceMsat,
      ) +
      funded(
        s.resellers,
        (g) => g.count,
        (g) => g.balanceMsat,
      ) +
      funded(
        s.resellers,
        (g) => g.count * g.subAgents.count,
        (g) => defaultBalanceMsat(g.subAgents.budgetMsat),
      ),
  };
}

/**
 * Refuses a market that opens more than `MAX_CHANNELS` channels, at the
 * field that opens the most (`network.channels.seller.count`, the topology,
 * or `network.file`), with the total and each class's count. Checked on a
 * market within `MAX_NODES` (`checkScenario`).
 */
export function checkMarketChannels(s: Scenario): ScenarioIssue[] {
  const c = marketChannels(s);
  const payee = c.payees * c.perPayee;
  const total = c.router + payee + c.payer;
  if (total <= MAX_CHANNELS) return [];
  const m = marketNodes(s);
  const payees = [
    m.sellers > 0 && plural(m.sellers, 'seller'),
    m.shadows > 0 && plural(m.shadows, 'shadow node'),
    m.resellers > 0 && plural(m.resellers, 'reseller'),
  ].filter(Boolean);
  const parts = [
    payee > 0 && `${plural(payee, 'seller channel')} (${payees.join(' and ')} × ${fmt(c.perPayee)} each)`,
    c.router > 0 && plural(c.router, 'router channel'),
    c.payer > 0 && plural(c.payer, 'payer channel'),
  ].filter(Boolean);
  const head =
    `this market opens ${fmt(total)} channels (${parts.join(', ')}), more than the ${fmt(MAX_CHANNELS)} one run opens: ` +
    'each is held in memory for the whole run; ';
  const routers = fewerLinks(s.network);
  if (payee < c.router)
    return [
      { path: s.network.file === undefined ? 'network.topology' : 'network.file', message: head + routers },
    ];
  // Within the size limit the payer channels are at most 50,000: the rest is the sellers' and the routers'.
  const most = Math.floor((MAX_CHANNELS - c.router - c.payer) / c.payees);
  const fix =
    most >= 1
      ? `lower network.channels.seller.count to at most ${fmt(most)}`
      : `lower network.channels.seller.count, and ${routers}`;
  return [{ path: 'network.channels.seller.count', message: head + fix }];
}

/** What opens fewer channels between routers. */
function fewerLinks(n: Scenario['network']): string {
  const t = n.topology;
  if (n.file !== undefined) return 'use a network.file with fewer channels';
  if (t.kind === 'hub_and_spoke') return 'lower network.topology.hubs (every two hubs share a channel)';
  if (t.kind === 'scale_free')
    return 'lower network.topology.edgesPerNode (each router opens that many) or network.topology.routers';
  return 'lower network.topology.routers';
}
