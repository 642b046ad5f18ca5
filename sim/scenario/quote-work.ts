import type { Scenario } from './schema.js';
import type { ScenarioIssue } from './errors.js';
import { MAX_RUN_QUOTES } from './limits.js';
import { about, expectedArrivals } from './arrivals.js';
import {
  advertisedGroups,
  sellersFound,
  taskSearch,
  upstreamSearch,
  type PlannedSearch,
} from './discovery.js';
import { endPayerCalls, upstreamOf, upstreamSales } from './upstream-work.js';
import { int, plural } from '../report/format.js';

/**
 * The quotes a run is expected to ask for, counted from the scenario as the run asks them: each
 * buyer task (agents/buyer/find-nodes.ts, quoting.ts) and each upstream purchase of a seller
 * (sim/market/chain.ts) searches the registry and quotes every seller found, at most
 * `registry.searchLimit` of those whose capability, category and price match (discovery.ts), and
 * the check that they stay within `MAX_RUN_QUOTES`. Not counted: a task's second search or
 * quote round (after refusals, or an offer that expired), resellers' restocks (their first result
 * only), sub-agents' slices (bought of their own reseller).
 */

/** One group's share of a run's quotes: where to edit it, and what it is. */
export interface QuotePart {
  /** The field that sets its pace: a buyer group's `arrivals`, a seller group's `upstream`. */
  path: string;
  /** Quotes expected of the whole group over the run. */
  quotes: number;
  /** How they come about, e.g. `buyers[0] "b": 1 buyer × about 299 tasks each × 1,000 sellers quoted`. */
  text: string;
}

const quoted = (n: number) =>
  Number.isInteger(n) ? `${plural(n, 'seller')} quoted` : `${about(n)} sellers quoted on average`;

/** Each group's quotes with `limit` results per search (default the scenario's `registry.searchLimit`). */
export function quoteWork(s: Scenario, limit = s.registry.searchLimit): QuotePart[] {
  const groups = advertisedGroups(s);
  const found = (q: PlannedSearch) => Math.min(limit, sellersFound(groups, q));
  const buyers = s.buyers.map((g, i) => {
    const tasks = expectedArrivals(g.arrivals, s.durationSec);
    const weight = g.tasks.reduce((a, t) => a + t.weight, 0);
    const each = g.tasks.reduce((a, t) => a + t.weight * found(taskSearch(g, t)), 0) / weight;
    return {
      path: `buyers[${i}].arrivals`,
      quotes: g.count * tasks * each,
      text: `buyers[${i}] "${g.name}": ${plural(g.count, 'buyer')} × about ${about(tasks)} tasks each × ${quoted(each)}`,
    };
  });
  const upstream = upstreamSales(s.sellers, endPayerCalls(s)).map(({ group, capability, sold }) => {
    const g = s.sellers[group]!;
    const each = upstreamOf(g).reduce((a, u) => a + found(upstreamSearch(g, u)), 0);
    return {
      path: `sellers[${group}].upstream`,
      quotes: sold * each,
      text: `sellers[${group}] "${g.name}": up to about ${int(sold)} ${capability} calls sold × ${quoted(each)} upstream`,
    };
  });
  return [...buyers, ...upstream];
}

/** The parts' quotes in all; a part that cannot be counted (NaN or Infinity) makes it Infinity, never dropped. */
function totalQuotes(parts: readonly QuotePart[]): number {
  return parts.reduce((a, p) => a + (Number.isFinite(p.quotes) ? p.quotes : Infinity), 0);
}

const within = (total: number) => Math.round(total) <= MAX_RUN_QUOTES;

/** The largest search limit below the scenario's whose quotes are within `MAX_RUN_QUOTES`, if any. */
function limitThatFits(s: Scenario): number | undefined {
  let [lo, hi] = [0, s.registry.searchLimit - 1];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (within(totalQuotes(quoteWork(s, mid)))) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? lo : undefined;
}

/** At most this many groups are named in the message, the busiest first. */
const NAMED = 5;

/**
 * Refuses a run expected to ask for more than `MAX_RUN_QUOTES` quotes, at `registry.searchLimit`,
 * naming the groups that ask the most and the search limit that would fit.
 */
export function checkQuoteWork(s: Scenario): ScenarioIssue[] {
  const parts = quoteWork(s).filter((p) => !(p.quotes <= 0));
  const total = totalQuotes(parts);
  if (within(total)) return [];
  const busiest = [...parts].sort((a, b) => b.quotes - a.quotes);
  const named = busiest.slice(0, NAMED).map((p) => p.text);
  if (busiest.length > NAMED) named.push('…');
  const fits = limitThatFits(s);
  const limit = int(s.registry.searchLimit);
  const message =
    `this run asks for ${Number.isFinite(total) ? `about ${int(total)}` : 'uncountably many'} quotes in its ${s.durationSec.toLocaleString('en-US')} s ` +
    `(${named.join('; ')}), more than the ${int(MAX_RUN_QUOTES)} one run asks for: each task quotes every seller its search returns, ` +
    `up to registry.searchLimit (${limit}), and each quote (a 402 challenge with a signed invoice) is simulated in turn like a call, ` +
    `so ${int(MAX_RUN_QUOTES)} take a few hours of wall time; lower ${fits ? `registry.searchLimit to at most ${int(fits)}, or ` : ''}` +
    "durationSec, or these groups' arrival rates (ratePerMin, a longer everySec) or counts";
  return [{ path: 'registry.searchLimit', message }];
}
