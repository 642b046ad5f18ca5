import { ARCHETYPE_CAPABILITY, type Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { checkNames, isMember, routingNodeNames } from './node-names.js';
import { checkMarketSize } from './limits.js';
import { checkRunWork } from './run-work.js';
import { checkMarketChannels } from './channels.js';
import { checkDefaultBalances, checkMarketMoney } from './money.js';
import { checkNetworkCapacities, checkPayerCapacities } from './capacities.js';
import { sellerConfigConflicts } from '../../services/sellers/config.js';
import { pricingConflicts } from '../../services/sellers/pricing.js';
import { searchPricesMsat } from './discovery.js';
import { checkUpstreamPrices } from './upstream-prices.js';

export { instanceNames, routerNames } from './node-names.js';

/**
 * Which parts of a scenario the checks may take as complete. A file the
 * schema refused is checked on what of it could be read (cross-checks.ts),
 * without the groups that failed: a reference to them is no error then.
 */
export interface Whole {
  /** Every seller group was read: a capability no seller offers is a real problem. */
  sellers: boolean;
  /** Every seller, buyer and reseller group was read: a fault naming no node is a real problem. */
  groups: boolean;
}

const WHOLE: Whole = { sellers: true, groups: true };

/** The agent groups: what the checks of one group (and its references to sellers) need. */
export type Groups = Pick<Scenario, 'sellers' | 'buyers' | 'resellers'>;

/**
 * Checks that need the whole scenario (cross references, ranges between two
 * fields, the market's size, channels, their capacities and money, the run's work). Each
 * problem is reported with the path a user would edit.
 */
export function checkScenario(s: Scenario, whole: Whole = WHOLE): ScenarioIssue[] {
  const fields = [
    ...checkGroups(s, whole.sellers),
    ...checkNetworkCapacities(s),
    ...checkMarketMoney(s),
    ...checkRunWork(s),
  ];
  // Over the size limit the nodes are not named (a market of 10^9 names runs out of memory), nor its channels checked.
  const size = checkMarketSize(s);
  if (size.length) return [...size, ...fields];
  return [...checkNames(s), ...fields, ...checkMarketChannels(s), ...checkFaults(s, whole)];
}

/**
 * Checks within the groups: ranges, balances (within the safe range, and
 * enough for a channel), and (when `sellersWhole`) the capabilities they name
 * and the upstream purchases some seller can fill (upstream-prices.ts).
 */
export function checkGroups(s: Groups, sellersWhole = true): ScenarioIssue[] {
  const offered = sellersWhole ? new Set<string>(s.sellers.map(capabilityOf)) : undefined;
  return [
    ...checkSellers(s, offered),
    // Only with every seller known: one that failed its schema may be the cheap upstream source;
    // and with every repricing seller's bounds valid (a source's lowest price is its floor).
    ...(sellersWhole && s.sellers.every(boundsHold) ? checkUpstreamPrices(s.sellers) : []),
    ...checkBuyers(s, offered),
    ...checkResellers(s, offered),
    ...checkDefaultBalances(s),
    ...checkPayerCapacities(s),
  ];
}

type Seller = Scenario['sellers'][number];
const capabilityOf = (g: Seller) => ARCHETYPE_CAPABILITY[g.archetype];

/** A seller with no repricing, or whose price starts within bounds whose floor is at most the ceiling. */
const boundsHold = (g: Seller) =>
  !g.pricing ||
  g.price.kind !== 'fixed' ||
  pricingConflicts(g.pricing, g.costMsat, g.price.msat).length === 0;

/** The issue for a capability no seller offers, if `cap` is one (none when the sellers are not all known). */
function unoffered(offered: Set<string> | undefined, cap: string, path: string): ScenarioIssue[] {
  if (!offered || offered.has(cap)) return [];
  return [
    { path, message: `no seller offers capability "${cap}" (offered: ${[...offered].sort().join(', ')})` },
  ];
}

/** Upstream purchases, repricing bounds, the balance upstream buying needs, and fields the seller config refuses together. */
function checkSellers(s: Groups, offered: Set<string> | undefined): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  s.sellers.forEach((g, i) => {
    const p = `sellers[${i}]`;
    g.upstream.forEach((u, j) => {
      issues.push(...unoffered(offered, u.capability, `${p}.upstream[${j}].capability`));
      if (u.capability === capabilityOf(g))
        add(`${p}.upstream[${j}].capability`, 'a seller cannot buy from itself');
    });
    if (g.pricing && g.price.kind !== 'fixed')
      add(`${p}.pricing`, `repricing needs a fixed price (price.kind: fixed), got ${g.price.kind}`);
    if (g.pricing && g.price.kind === 'fixed')
      for (const c of pricingConflicts(g.pricing, g.costMsat, g.price.msat)) add(`${p}.${c.path}`, c.message);
    if (g.upstream.length > 0 && g.balanceMsat === 0)
      add(`${p}.balanceMsat`, 'expected a positive balance: this seller buys upstream');
    for (const c of sellerConfigConflicts(g)) add(`${p}.${c.path}`, c.message);
  });
  return issues;
}

/** Tasks name an offered capability and a value range the right way round. */
function checkBuyers(s: Groups, offered: Set<string> | undefined): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  s.buyers.forEach((g, i) => {
    g.tasks.forEach((t, j) => {
      issues.push(...unoffered(offered, t.capability, `buyers[${i}].tasks[${j}].capability`));
      if (t.value.dist === 'uniform' && t.value.minMsat > t.value.maxMsat)
        issues.push({
          path: `buyers[${i}].tasks[${j}].value.minMsat`,
          message: `expected at most maxMsat (${t.value.maxMsat})`,
        });
    });
  });
  return issues;
}

/**
 * A reseller needs a seller of its capability with a bundle tier to slice, one that holds its slices
 * (unless it is set to oversell, with slicesPerBundle).
 */
function checkResellers(s: Groups, offered: Set<string> | undefined): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  s.resellers.forEach((g, i) => {
    const p = `resellers[${i}]`;
    const missing = unoffered(offered, g.capability, `${p}.capability`);
    issues.push(...missing);
    const origins = cheapestBundles(s, g.capability);
    if (offered && missing.length === 0 && origins.priceMsat === undefined)
      add(`${p}.capability`, `no seller of "${g.capability}" offers a bundle tier to slice`);
    if (g.oversell && g.slicesPerBundle === undefined)
      add(
        `${p}.oversell`,
        'oversell needs slicesPerBundle, the slices to sell per bundle whatever it holds; set slicesPerBundle, or leave oversell out',
      );
    const misfit =
      !g.oversell && origins.priceMsat !== undefined && slicesMisfit(g, p, origins.priceMsat, origins.calls);
    if (misfit) issues.push(misfit);
    if (g.subAgents.value.dist === 'uniform' && g.subAgents.value.minMsat > g.subAgents.value.maxMsat)
      add(`${p}.subAgents.value.minMsat`, `expected at most maxMsat (${g.subAgents.value.maxMsat})`);
  });
  return issues;
}

/**
 * Why the reseller's slices do not fit in the bundle it buys (`calls` calls for `priceMsat`), at
 * its group's path `p`, or undefined: a slice of more calls, or more than `slicesPerBundle` slices
 * hold in all (the last would be sold and refused at the origin).
 */
function slicesMisfit(
  g: Groups['resellers'][number],
  p: string,
  priceMsat: number,
  calls: number,
): ScenarioIssue | undefined {
  const bundle = `the cheapest bundle of "${g.capability}" (${priceMsat} msat, the one the reseller buys) holds ${calls} calls`;
  if (calls < g.sliceCalls)
    return {
      path: `${p}.sliceCalls`,
      message: `${bundle}, fewer than one ${g.sliceCalls}-call slice; set sliceCalls to at most ${calls}`,
    };
  const per = g.slicesPerBundle;
  if (per === undefined || per * g.sliceCalls <= calls) return undefined;
  return {
    path: `${p}.slicesPerBundle`,
    message: `${bundle}, fewer than ${per} slices of ${g.sliceCalls} ${g.sliceCalls === 1 ? 'call' : 'calls'} (${per * g.sliceCalls}): the last slices would be sold and refused at the origin; set slicesPerBundle to at most ${Math.floor(calls / g.sliceCalls)}, or leave it out (oversell: true makes a reseller that oversells on purpose)`,
  };
}

/**
 * The bundle a reseller's origin search (tier=bundle, sells=bundle) returns first: the lowest
 * advertised price of a seller's first bundle tier, and the most calls such a bundle at that price
 * holds (sellers tied at it are ordered by listing id, which the scenario does not fix).
 */
function cheapestBundles(s: Groups, capability: string): { priceMsat?: number; calls: number } {
  let priceMsat: number | undefined;
  let calls = 0;
  for (const x of s.sellers) {
    const bundle = x.tiers.find((t) => t.kind === 'bundle');
    if (capabilityOf(x) !== capability || bundle?.kind !== 'bundle') continue;
    const price = searchPricesMsat(x).bundle;
    if (priceMsat === undefined || price < priceMsat) [priceMsat, calls] = [price, bundle.calls];
    else if (price === priceMsat) calls = Math.max(calls, bundle.calls);
  }
  return priceMsat === undefined ? { calls } : { priceMsat, calls };
}

/** How the routers are named, for a fault naming no node. */
function routersAre(s: Scenario): string {
  return s.network.file === undefined
    ? 'routers router-<n>'
    : `routers as network.file ${s.network.file} names them`;
}

/** Faults happen within the run and name a node or seller that exists (checked when every group is known). */
function checkFaults(s: Scenario, whole: Whole): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });
  const routers = new Set(routingNodeNames(s));
  const members = [...s.sellers, ...s.buyers, ...s.resellers];
  s.faults.forEach((f, i) => {
    const p = `faults[${i}]`;
    if (f.atSec > s.durationSec + s.drainSec)
      add(`${p}.atSec`, `expected a time within the run (0..${s.durationSec + s.drainSec} s)`);
    if (f.kind === 'failure_rate') {
      if (whole.sellers && !s.sellers.some((g) => g.name === f.seller) && !isMember(s.sellers, f.seller))
        add(`${p}.seller`, `no seller or seller group named "${f.seller}"`);
    } else if (whole.groups && !routers.has(f.node) && !isMember(members, f.node)) {
      add(`${p}.node`, `no node named "${f.node}" (nodes are named <group>-<n>, ${routersAre(s)})`);
    }
  });
  return issues;
}
