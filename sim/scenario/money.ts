import type { Distribution } from '../../infra/lightning/simnet/index.js';
import { defaultBalanceMsat } from './buyer-schema.js';
import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { marketChannels, routerLinks } from './channels.js';
import { largestDraw } from './draw-bounds.js';
import { MIN_CHANNEL_MSAT } from './capacities.js';
import { readNetworkFile } from './node-names.js';
import { plural } from '../report/format.js';

/**
 * The money a market holds. Every msat of the embedded network is in a
 * channel the market opens (sim/market/topology.ts, embedded-world.ts):
 * each router-to-router channel (`network.routerChannelMsat`, or drawn from
 * `network.channels.router.capacity`, or a SimLN `network.file`'s
 * capacities), each seller's, reseller's and wrong-payee shadow node's
 * channel from a router (`network.sellerChannelMsat` or drawn, times
 * `network.channels.seller.count`), and each payer's channel funded with
 * its balance (sellers' and resellers' `balanceMsat`, buyers' `balanceMsat`
 * or budget + 10%, sub-agents' budget + 10%). Its sums (the ledger,
 * conservation) are exact only within Number.MAX_SAFE_INTEGER msat.
 */

const SAFE = Number.MAX_SAFE_INTEGER;
const fmt = (n: number | bigint) => n.toLocaleString('en-US');
const RANGE = `${fmt(SAFE)} msat (2^53 − 1, the most a market's sums count exactly)`;

/** The largest budget whose default balance (`defaultBalanceMsat`: budget + 10%) is a safe integer. */
export const MAX_DEFAULT_BUDGET_MSAT = largestBudget();

function largestBudget(): number {
  let lo = 0;
  let hi = SAFE;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (defaultBalanceMsat(mid) <= SAFE) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A budget whose default balance is above the safe range: what it is and what to lower. */
function tooBig(budgetMsat: number, orElse: string): string {
  return (
    `its default balance (budget + 10% for fees) is ${fmt(defaultBalanceMsat(budgetMsat))} msat, above ${RANGE}; ` +
    `lower budgetMsat to at most ${fmt(MAX_DEFAULT_BUDGET_MSAT)}${orElse}`
  );
}

/** Buyers and sub-agents funded with budget + 10%: refused at the budget where that passes the safe range. */
export function checkDefaultBalances(s: Pick<Scenario, 'buyers' | 'resellers'>): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const over = (budgetMsat: number) => defaultBalanceMsat(budgetMsat) > SAFE;
  s.buyers.forEach((g, i) => {
    if (g.balanceMsat === undefined && over(g.budgetMsat))
      issues.push({ path: `buyers[${i}].budgetMsat`, message: tooBig(g.budgetMsat, ', or set balanceMsat') });
  });
  s.resellers.forEach((g, i) => {
    if (over(g.subAgents.budgetMsat))
      issues.push({
        path: `resellers[${i}].subAgents.budgetMsat`,
        message: tooBig(g.subAgents.budgetMsat, ''),
      });
  });
  return issues;
}

/** Money one field puts in the market: `count` channels of `each` msat (or `msat` in all). */
interface Holding {
  field: string;
  what: string;
  msat: bigint;
}

/**
 * The most one channel of a class holds: its fixed capacity, or the most its
 * distribution draws (at least `MIN_CHANNEL_MSAT`, as drawn). The schema requires a
 * `lognormal` or `pareto` capacity to have a `max`; one without (a scenario
 * that skipped validation) counts past the range.
 */
function capacity(d: Distribution | undefined, fixed: number): number {
  if (!d) return fixed;
  return Math.max(MIN_CHANNEL_MSAT, largestDraw(d) ?? SAFE + 1);
}

/** Every field that puts money in the market, with how much. */
function holdings(s: Scenario): Holding[] {
  const out: Holding[] = [];
  const add = (field: string, count: number, each: number, who: string) => {
    if (count > 0 && each > 0)
      out.push({
        field,
        what: `${plural(count, who)} × ${fmt(each)} msat`,
        msat: BigInt(count) * BigInt(each),
      });
  };
  const n = s.network;
  const file = n.file === undefined ? undefined : readNetworkFile(n.file);
  if (file) {
    const msat = file.sim_network.reduce((a, c) => a + BigInt(c.capacity_msat), 0n);
    out.push({
      field: 'network.file',
      what: `${plural(file.sim_network.length, 'channel')} of ${n.file}`,
      msat,
    });
  } else if (n.file === undefined) {
    const router = n.channels?.router?.capacity;
    const field = router ? 'network.channels.router.capacity' : 'network.routerChannelMsat';
    add(field, routerLinks(n.topology), capacity(router, n.routerChannelMsat), 'router channel');
  }
  const c = marketChannels(s);
  const seller = n.channels?.seller;
  const field = seller?.capacity ? 'network.channels.seller.capacity' : 'network.sellerChannelMsat';
  add(field, c.payees * c.perPayee, capacity(seller?.capacity, n.sellerChannelMsat), 'seller channel');
  s.sellers.forEach((g, i) => add(`sellers[${i}].balanceMsat`, g.count, g.balanceMsat, 'seller'));
  s.buyers.forEach((g, i) => {
    const own = g.balanceMsat !== undefined;
    const each = g.balanceMsat ?? defaultBalanceMsat(g.budgetMsat);
    add(`buyers[${i}].${own ? 'balanceMsat' : 'budgetMsat'}`, g.count, each, 'buyer');
  });
  s.resellers.forEach((g, i) => {
    add(`resellers[${i}].balanceMsat`, g.count, g.balanceMsat, 'reseller');
    const subs = g.count * g.subAgents.count;
    add(
      `resellers[${i}].subAgents.budgetMsat`,
      subs,
      defaultBalanceMsat(g.subAgents.budgetMsat),
      'sub-agent',
    );
  });
  return out;
}

/** The msat the market's channels hold (drawn capacities at their most), exactly. */
export function marketMsat(s: Scenario): bigint {
  return holdings(s).reduce((a, h) => a + h.msat, 0n);
}

/**
 * Refuses a market whose channels hold more than Number.MAX_SAFE_INTEGER msat,
 * naming the fields that put the most in it. A default balance over the
 * range is refused at its budget (`checkDefaultBalances`) instead.
 */
export function checkMarketMoney(s: Scenario): ScenarioIssue[] {
  if (checkDefaultBalances(s).length) return [];
  const all = holdings(s);
  const total = all.reduce((a, h) => a + h.msat, 0n);
  if (total <= BigInt(SAFE)) return [];
  // The fields that hold a tenth of it or more (the largest first, at most three).
  const largest = [...all]
    .sort((a, b) => (b.msat > a.msat ? 1 : b.msat < a.msat ? -1 : 0))
    .filter((h, i) => i === 0 || h.msat * 10n >= total)
    .slice(0, 3)
    .map((h) => `${h.field} (${h.what} = ${fmt(h.msat)} msat)`);
  const message =
    `this market's channels hold ${fmt(total)} msat, more than ${RANGE}; ` +
    `lower the largest amounts: ${largest.join('; ')}`;
  return [{ path: '', message }];
}
