import {
  DEFAULT_MIN_HTLC_MSAT,
  leastCapacityReason,
  simLnLeastCapacity,
  type SimLnChannel,
} from '../../infra/lightning/simnet/index.js';
import { defaultBalanceMsat } from './buyer-schema.js';
import type { Groups } from './checks.js';
import type { ScenarioIssue } from './errors.js';
import { routerLinks } from './channels.js';
import { readNetworkFile } from './node-names.js';
import type { Scenario } from './schema.js';
import { plural } from '../report/format.js';

/**
 * The least a channel of the embedded network may hold: the simnet opens
 * every channel with a minimum HTLC of `DEFAULT_MIN_HTLC_MSAT` (as LND's)
 * and a maximum HTLC of its capacity, so a channel of less does not open
 * (`minHtlcMsat 1000 exceeds maxHtlcMsat 500`; of 0 msat, `capacityMsat must
 * be positive`) and market setup stops there. Every amount that opens a
 * channel is refused below it before the run (a SimLN file's channel below
 * its own minimum HTLC, when it sets one): the fixed capacities here,
 * drawn ones by the schema (network-schema.ts), balances here.
 */
export const MIN_CHANNEL_MSAT = DEFAULT_MIN_HTLC_MSAT;

const fmt = (n: number) => n.toLocaleString('en-US');
const LEAST = `${fmt(MIN_CHANNEL_MSAT)} msat (a channel must carry one minimum HTLC)`;

/** A capacity below `MIN_CHANNEL_MSAT`: `expected at least 1,000 msat (…), got 0`. */
export function belowMinHtlc(given: number): string {
  return `expected at least ${LEAST}, got ${given}`;
}

const short = (msat: number) => msat < MIN_CHANNEL_MSAT;

/**
 * The fixed capacities the market opens channels of, each where it is used:
 * `network.sellerChannelMsat` (each seller's, shadow node's and reseller's
 * channel from its router, unless `network.channels.seller.capacity` draws
 * them), `network.routerChannelMsat` (each router-to-router channel of the
 * generated topology, when it has any and `network.channels.router.capacity`
 * does not draw them), and the `capacity_msat` of a SimLN `network.file`'s
 * channels (each against its own sides' minimum HTLC).
 */
export function checkNetworkCapacities(s: Scenario): ScenarioIssue[] {
  const n = s.network;
  const issues: ScenarioIssue[] = [];
  const payees = s.sellers.length + s.resellers.length > 0;
  if (payees && !n.channels?.seller?.capacity && short(n.sellerChannelMsat))
    issues.push({ path: 'network.sellerChannelMsat', message: belowMinHtlc(n.sellerChannelMsat) });
  if (n.file !== undefined) return [...issues, ...checkFileCapacities(n.file)];
  if (routerLinks(n.topology) > 0 && !n.channels?.router?.capacity && short(n.routerChannelMsat))
    issues.push({ path: 'network.routerChannelMsat', message: belowMinHtlc(n.routerChannelMsat) });
  return issues;
}

/**
 * The first channel of a SimLN `network.file` below its least capacity (one
 * minimum HTLC of either side: the side's own `min_htlc_size_msat`, else
 * `MIN_CHANNEL_MSAT`; `simLnLeastCapacity`, as the file is built), and how many more are.
 */
function checkFileCapacities(path: string): ScenarioIssue[] {
  const channels = readNetworkFile(path)?.sim_network ?? [];
  const below = channels.flatMap((c, i) => (c.capacity_msat < simLnLeastCapacity(c).msat ? [i] : []));
  const first = below[0];
  if (first === undefined) return [];
  const more = below.length > 1 ? `; and ${plural(below.length - 1, 'more channel')} of the file` : '';
  const message = `${path}: sim_network[${first}].capacity_msat: ${belowFileMin(channels[first]!)}${more}`;
  return [{ path: 'network.file', message }];
}

/** A file channel below its least capacity: as `belowMinHtlc` when neither side sets a minimum HTLC, else naming the side's. */
function belowFileMin(c: SimLnChannel): string {
  const least = simLnLeastCapacity(c);
  if (c.node_1.min_htlc_size_msat === undefined && c.node_2.min_htlc_size_msat === undefined)
    return belowMinHtlc(c.capacity_msat);
  return `expected at least ${fmt(least.msat)} msat (one minimum HTLC ${leastCapacityReason(least)}), got ${c.capacity_msat}`;
}

/** The smallest budget whose default balance (`defaultBalanceMsat`: budget + 10%) opens a channel. */
export const MIN_FUNDED_BUDGET_MSAT = smallestFundedBudget();

function smallestFundedBudget(): number {
  let budget = 0;
  while (short(defaultBalanceMsat(budget))) budget++;
  return budget;
}

/** A balance that opens a channel (any but 0) of less than `MIN_CHANNEL_MSAT`. */
function balance(given: number): string {
  return `expected 0 (no channel) or at least ${LEAST}, got ${given}`;
}

/** A budget whose default balance opens a channel of less than `MIN_CHANNEL_MSAT`: what it is and what to raise. */
function budget(budgetMsat: number, orElse: string): string {
  return (
    `its default balance (budget + 10% for fees) is ${fmt(defaultBalanceMsat(budgetMsat))} msat, ` +
    `below ${LEAST}; raise budgetMsat to at least ${fmt(MIN_FUNDED_BUDGET_MSAT)}${orElse}`
  );
}

/**
 * The balances that open a payer's channel (sellers' and resellers'
 * `balanceMsat`, buyers' `balanceMsat` or budget + 10%, sub-agents' budget
 * + 10%): 0 opens none, anything else at least `MIN_CHANNEL_MSAT`.
 */
export function checkPayerCapacities(s: Groups): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const opens = (msat: number) => msat > 0 && short(msat);
  const add = (path: string, message: string) => issues.push({ path, message });
  s.sellers.forEach((g, i) => {
    if (opens(g.balanceMsat)) add(`sellers[${i}].balanceMsat`, balance(g.balanceMsat));
  });
  s.buyers.forEach((g, i) => {
    if (g.balanceMsat !== undefined) {
      if (opens(g.balanceMsat)) add(`buyers[${i}].balanceMsat`, balance(g.balanceMsat));
    } else if (opens(defaultBalanceMsat(g.budgetMsat)))
      add(`buyers[${i}].budgetMsat`, budget(g.budgetMsat, ', or set balanceMsat'));
  });
  s.resellers.forEach((g, i) => {
    if (opens(g.balanceMsat)) add(`resellers[${i}].balanceMsat`, balance(g.balanceMsat));
    const sub = g.subAgents.budgetMsat;
    if (opens(defaultBalanceMsat(sub))) add(`resellers[${i}].subAgents.budgetMsat`, budget(sub, ''));
  });
  return issues;
}
