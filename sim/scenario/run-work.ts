import type { ArrivalsSpec, Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { MAX_RUN_CALLS } from './limits.js';
import { checkUpstreamCycle, upstreamWork } from './upstream-work.js';
import { int, plural } from '../report/format.js';

/**
 * The work a run is expected to do, counted from the scenario as the run
 * makes it (sim/market/buyers.ts, resale-sub-agents.ts, repricing.ts, and
 * chain.ts: the upstream calls of sellers that buy upstream, upstream-work.ts),
 * and the check that it stays within `MAX_RUN_CALLS`. Not counted: resellers'
 * restocks (a bundle per `slicesPerBundle` slices sold).
 */

/** One group's share of a run's work: where to edit it, and what it is. */
export interface WorkPart {
  /** The field that sets its pace: a group's `arrivals`, or a seller's `pricing.everySec`. */
  path: string;
  /** Calls (or repricing steps) expected of the whole group over the run. */
  calls: number;
  /** How they come about, e.g. `buyers[0] "b": 3 buyers × about 1,000 tasks each × 3 calls`. */
  text: string;
}

/** Arrivals of one agent before `durationSec`: the mean of a Poisson process, or a fixed gap's exact count. */
export function expectedArrivals(a: ArrivalsSpec, durationSec: number): number {
  if (a.process === 'poisson') return (a.ratePerMin * durationSec) / 60;
  // As the arrival loop: one at offset + k × gap (k ≥ 1) while before the end, all in whole ms.
  const endMs = Math.round(durationSec * 1000) - Math.round(a.offsetSec * 1000);
  const gapMs = Math.max(1, Math.round(a.everySec * 1000));
  return endMs > 0 ? Math.ceil(endMs / gapMs) - 1 : 0;
}

/** Repricing steps of one seller: at most one per `everySec` (whole ms) of the run. */
function repricingSteps(everySec: number, durationSec: number): number {
  return Math.ceil(Math.round(durationSec * 1000) / Math.max(1, Math.round(everySec * 1000)));
}

/** About `n` (rounded to a whole number when above 10), for an expected count; one past counting is "uncountably many". */
const about = (n: number) =>
  !Number.isFinite(n)
    ? 'uncountably many'
    : n >= 10 || Number.isInteger(n)
      ? int(n)
      : String(Number(n.toPrecision(2)));

/**
 * Each group's work: buyers' tasks × their calls (weighted mean), sub-agents' slices, repricing
 * steps, and the upstream calls sellers buy for the calls they sell.
 */
export function runWork(s: Scenario): WorkPart[] {
  const d = s.durationSec;
  const end = new Map<string, number>();
  const endCalls = (capability: string, calls: number) =>
    end.set(capability, (end.get(capability) ?? 0) + calls);
  const buyers = s.buyers.map((g, i) => {
    const tasks = expectedArrivals(g.arrivals, d);
    const weight = g.tasks.reduce((a, t) => a + t.weight, 0);
    for (const t of g.tasks) endCalls(t.capability, (g.count * tasks * t.weight * t.calls) / weight);
    const calls = g.tasks.reduce((a, t) => a + t.weight * t.calls, 0) / weight;
    const each = Number.isInteger(calls) ? plural(calls, 'call') : `${about(calls)} calls on average`;
    return {
      path: `buyers[${i}].arrivals`,
      calls: g.count * tasks * calls,
      text: `buyers[${i}] "${g.name}": ${plural(g.count, 'buyer')} × about ${about(tasks)} tasks each × ${each}`,
    };
  });
  const subs = s.resellers.map((g, i) => {
    const agents = g.count * g.subAgents.count;
    const tasks = expectedArrivals(g.subAgents.arrivals, d);
    endCalls(g.capability, agents * tasks * g.sliceCalls);
    return {
      path: `resellers[${i}].subAgents.arrivals`,
      calls: agents * tasks * g.sliceCalls,
      text: `resellers[${i}] "${g.name}": ${plural(agents, 'sub-agent')} × about ${about(tasks)} slices each × ${plural(g.sliceCalls, 'call')}`,
    };
  });
  const repricing = s.sellers.flatMap((g, i) => {
    if (!g.pricing) return [];
    const steps = repricingSteps(g.pricing.everySec, d);
    return [
      {
        path: `sellers[${i}].pricing.everySec`,
        calls: g.count * steps,
        text: `sellers[${i}] "${g.name}": ${plural(g.count, 'seller')} × ${plural(steps, 'repricing step')} each`,
      },
    ];
  });
  return [...buyers, ...subs, ...repricing, ...upstreamWork(s.sellers, end)];
}

/** At most this many groups are named in the message, the busiest first. */
const NAMED = 5;

/**
 * Refuses a run expected to make more than `MAX_RUN_CALLS` calls (and
 * repricing steps), at the field of the group that makes the most, naming
 * the busiest groups and what to lower; and a chain of upstream purchases
 * that comes back round, whose calls have no end to count.
 */
export function checkRunWork(s: Scenario): ScenarioIssue[] {
  const cycle = checkUpstreamCycle(s);
  if (cycle.length) return cycle;
  // A part that cannot be counted (NaN or Infinity) is over the limit, never dropped.
  const parts = runWork(s)
    .map((p) => (Number.isFinite(p.calls) ? p : { ...p, calls: Infinity }))
    .filter((p) => p.calls > 0);
  const total = parts.reduce((a, p) => a + p.calls, 0);
  if (Math.round(total) <= MAX_RUN_CALLS) return [];
  const busiest = [...parts].sort((a, b) => b.calls - a.calls);
  const named = busiest.slice(0, NAMED).map((p) => p.text);
  if (busiest.length > NAMED) named.push('…');
  const repricing = parts.some((p) => p.path.endsWith('pricing.everySec'));
  const upstream = parts.some((p) => p.path.endsWith('.upstream'));
  const message =
    `this run makes ${Number.isFinite(total) ? `about ${int(total)}` : 'uncountably many'} ${repricing ? 'calls and repricing steps' : 'calls'} in its ${s.durationSec.toLocaleString('en-US')} s ` +
    `(${named.join('; ')}), more than the ${int(MAX_RUN_CALLS)} one run makes: each is simulated in turn, a few hundred ` +
    `to a few thousand a second, so ${int(MAX_RUN_CALLS)} take from under an hour to several hours of wall time; ` +
    `lower durationSec, or these groups' arrival rates (ratePerMin, a longer everySec), counts or calls${repricing ? ', or reprice less often (a longer pricing.everySec)' : ''}` +
    (upstream ? ", or the sellers' upstream calls (upstream[].calls)" : '');
  return [{ path: busiest[0]!.path, message }];
}
