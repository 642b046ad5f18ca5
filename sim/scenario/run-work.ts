import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { MAX_RUN_CALLS } from './limits.js';
import { checkUpstreamCycle, endPayerCalls, upstreamWork } from './upstream-work.js';
import { about, expectedArrivals } from './arrivals.js';
import { checkQuoteWork, quoteWork } from './quote-work.js';
import { int, plural } from '../report/format.js';

export { expectedArrivals } from './arrivals.js';

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

/** Repricing steps of one seller: at most one per `everySec` (whole ms) of the run. */
function repricingSteps(everySec: number, durationSec: number): number {
  return Math.ceil(Math.round(durationSec * 1000) / Math.max(1, Math.round(everySec * 1000)));
}

/**
 * Each group's work: buyers' tasks × their calls (weighted mean), sub-agents' slices, repricing
 * steps, and the upstream calls sellers buy for the calls they sell.
 */
export function runWork(s: Scenario): WorkPart[] {
  const d = s.durationSec;
  const buyers = s.buyers.map((g, i) => {
    const tasks = expectedArrivals(g.arrivals, d);
    const weight = g.tasks.reduce((a, t) => a + t.weight, 0);
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
  return [...buyers, ...subs, ...repricing, ...upstreamWork(s.sellers, endPayerCalls(s))];
}

/**
 * A run's expected work in one count: its calls and repricing steps (`runWork`) and its quotes
 * (quote-work.ts), each about a call's work; what a sweep's runs add up to (sim/sweep/sweep-work.ts).
 */
export function expectedWork(s: Scenario): number {
  const calls = runWork(s).reduce((a, p) => a + p.calls, 0);
  return calls + quoteWork(s).reduce((a, p) => a + p.quotes, 0);
}

/** At most this many groups are named in the message, the busiest first. */
const NAMED = 5;

/**
 * Refuses a run expected to make more than `MAX_RUN_CALLS` calls (and
 * repricing steps), at the field of the group that makes the most, naming
 * the busiest groups and what to lower; and a chain of upstream purchases
 * that comes back round, whose calls have no end to count. A run within
 * its calls is checked for its quotes (quote-work.ts, `MAX_RUN_QUOTES`): one
 * issue for the run's work, the calls first.
 */
export function checkRunWork(s: Scenario): ScenarioIssue[] {
  const cycle = checkUpstreamCycle(s);
  if (cycle.length) return cycle;
  // A part that cannot be counted (NaN or Infinity) is over the limit, never dropped.
  const parts = runWork(s)
    .map((p) => (Number.isFinite(p.calls) ? p : { ...p, calls: Infinity }))
    .filter((p) => p.calls > 0);
  const total = parts.reduce((a, p) => a + p.calls, 0);
  if (Math.round(total) <= MAX_RUN_CALLS) return checkQuoteWork(s);
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
