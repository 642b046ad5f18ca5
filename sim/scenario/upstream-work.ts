import { ARCHETYPE_CAPABILITY, type Scenario, type SellerSpec } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import type { WorkPart } from './run-work.js';
import { int, plural } from '../report/format.js';
import { expectedArrivals } from './arrivals.js';

/**
 * The calls sellers that buy upstream add to a run (`sellers[].upstream`, sim/market/chain.ts):
 * for every paid call a seller serves, each of its upstream entries is a task of `calls` calls,
 * bought from a seller of that capability, which may buy upstream in turn. Which seller of a
 * capability serves a call is the buyers' choice, so every call of a capability is counted as
 * served by the seller group that sets off the most calls for it (the worst case). A chain of
 * upstream purchases that comes back to a capability it passed is refused instead of counted:
 * one call sold sets off purchases without end (two sellers buying each other's capability made
 * 363 purchases of one buyer's call in 20 s of market time, none delivered).
 */

const capabilityOf = (g: SellerSpec): string => ARCHETYPE_CAPABILITY[g.archetype];

/** A seller group's upstream entries, but one of its own capability (refused by checks.ts). */
export function upstreamOf(g: SellerSpec) {
  return g.upstream.filter((u) => u.capability !== capabilityOf(g));
}

/**
 * The first chain of upstream purchases that comes back round, as the seller groups along it
 * (index of the group and of its upstream entry), or undefined when there is none.
 */
function upstreamCycle(sellers: readonly SellerSpec[]): { group: number; entry: number }[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: { group: number; entry: number; from: string }[] = [];
  const visit = (cap: string): { group: number; entry: number }[] | undefined => {
    state.set(cap, 'open');
    for (const [group, g] of sellers.entries()) {
      if (capabilityOf(g) !== cap) continue;
      for (const [entry, u] of g.upstream.entries()) {
        if (u.capability === cap) continue;
        path.push({ group, entry, from: cap });
        if (state.get(u.capability) === 'open')
          return path.slice(path.findIndex((p) => p.from === u.capability));
        const found = state.has(u.capability) ? undefined : visit(u.capability);
        if (found) return found;
        path.pop();
      }
    }
    state.set(cap, 'done');
    return undefined;
  };
  for (const g of sellers) {
    const found = state.has(capabilityOf(g)) ? undefined : visit(capabilityOf(g));
    if (found) return found;
  }
  return undefined;
}

/** A chain of upstream purchases that comes back round, at its first entry, naming each step. */
export function checkUpstreamCycle(s: Pick<Scenario, 'sellers'>): ScenarioIssue[] {
  const cycle = upstreamCycle(s.sellers);
  if (!cycle) return [];
  const steps = cycle.map(({ group, entry }) => {
    const g = s.sellers[group]!;
    return `sellers[${group}] "${g.name}" sells ${capabilityOf(g)} and buys ${g.upstream[entry]!.capability}`;
  });
  const first = cycle[0]!;
  return [
    {
      path: `sellers[${first.group}].upstream[${first.entry}].capability`,
      message:
        `upstream purchases go round (${steps.join('; ')}): one call sold would set off purchases ` +
        'without end, each seller buying again for the call it is paid for; remove one of these upstream entries',
    },
  ];
}

/**
 * The calls end payers make of each capability over the run: buyers' tasks × their calls, and
 * sub-agents' slices × `sliceCalls` (the calls sellers serve before any bought upstream).
 */
export function endPayerCalls(s: Scenario): Map<string, number> {
  const end = new Map<string, number>();
  const add = (capability: string, calls: number) => end.set(capability, (end.get(capability) ?? 0) + calls);
  for (const g of s.buyers) {
    const tasks = expectedArrivals(g.arrivals, s.durationSec);
    const weight = g.tasks.reduce((a, t) => a + t.weight, 0);
    for (const t of g.tasks) add(t.capability, (g.count * tasks * t.weight * t.calls) / weight);
  }
  for (const g of s.resellers)
    add(
      g.capability,
      g.count * g.subAgents.count * expectedArrivals(g.subAgents.arrivals, s.durationSec) * g.sliceCalls,
    );
  return end;
}

/** A seller group that buys upstream, as counted: its index, the capability it sells, and the calls of it it serves. */
export interface UpstreamSales {
  group: number;
  capability: string;
  /** Calls of `capability` it serves over the run, each of which buys every upstream entry. */
  sold: number;
}

/**
 * The seller groups that buy upstream, each with the calls it serves over the run, given the calls
 * end payers make of each capability (`endCalls`); none when a chain of upstream purchases comes
 * back round (`checkUpstreamCycle` refuses it).
 */
export function upstreamSales(
  sellers: readonly SellerSpec[],
  endCalls: ReadonlyMap<string, number>,
): UpstreamSales[] {
  if (upstreamCycle(sellers)) return [];
  const heaviest = heaviestSellers(sellers);
  const served = new Map<string, number>();
  // Calls of `cap` served by its heaviest group: the end payers' and those bought upstream of it.
  const servedOf = (cap: string): number => {
    let n = served.get(cap);
    if (n !== undefined) return n;
    n = endCalls.get(cap) ?? 0;
    for (const [buyer, h] of heaviest)
      for (const u of upstreamOf(sellers[h.group]!)) if (u.capability === cap) n += servedOf(buyer) * u.calls;
    served.set(cap, n);
    return n;
  };
  return [...heaviest]
    .filter(([, h]) => upstreamOf(sellers[h.group]!).length > 0)
    .map(([capability, h]) => ({ group: h.group, capability, sold: servedOf(capability) }));
}

/** Each seller group's upstream calls over the run (`upstreamSales` × its upstream entries' calls). */
export function upstreamWork(
  sellers: readonly SellerSpec[],
  endCalls: ReadonlyMap<string, number>,
): WorkPart[] {
  return upstreamSales(sellers, endCalls).map(({ group, capability, sold }) => {
    const g = sellers[group]!;
    const each = upstreamOf(g).reduce((a, u) => a + u.calls, 0);
    return {
      path: `sellers[${group}].upstream`,
      calls: sold * each,
      text: `sellers[${group}] "${g.name}": up to about ${int(sold)} ${capability} calls sold × ${plural(each, 'upstream call')} each`,
    };
  });
}

/**
 * Per capability sold, the seller group that sets off the most calls for each call of it it
 * serves, and that number (the call itself included); the first such group on a tie.
 */
function heaviestSellers(sellers: readonly SellerSpec[]): Map<string, { group: number; per: number }> {
  const best = new Map<string, { group: number; per: number }>();
  const perCall = (cap: string): number => {
    const known = best.get(cap);
    if (known) return known.per;
    let top = { group: -1, per: 1 };
    for (const [group, g] of sellers.entries()) {
      if (capabilityOf(g) !== cap) continue;
      const per = 1 + upstreamOf(g).reduce((a, u) => a + u.calls * perCall(u.capability), 0);
      if (top.group < 0 || per > top.per) top = { group, per };
    }
    if (top.group >= 0) best.set(cap, top);
    return top.per;
  };
  for (const g of sellers) perCall(capabilityOf(g));
  return best;
}
