import type { Listing } from '../../services/registry/types.js';
import { tokenUsable } from '../l402/index.js';
import type { BuyerDeps } from './deps.js';
import { weigh } from './offers.js';
import { quote } from './quoting.js';
import { searchAgainLimit, stillUsable } from './refused-sellers.js';
import type { BuyerStateT, BuyerUpdate } from './state.js';
import type { DecisionRecord, ListedOffer } from './types.js';
import { modelErrorName } from '../../infra/llm/model-errors.js';

/** The nodes that find an offer: discover sellers, quote them, let the decider choose. */
export function findNodes(d: BuyerDeps) {
  return {
    discover: (s: BuyerStateT) => discover(d, s),
    quote: (s: BuyerStateT) => quote(d, s),
    decide: (s: BuyerStateT) => decide(d, s),
  };
}

/** A node's time on the injected clock, for the run's step log. */
export function timed(d: BuyerDeps, node: string, at: number) {
  return [{ node, atMs: at, durationMs: d.clock.now() - at }];
}

/**
 * Registry search for sellers of the capability, ranked and filtered by the
 * price of the tier the buyer will ask each of them for (its preferred kind,
 * else each listing's default, first tier: see `prepare`), not by a cheaper
 * tier it would not buy. A search again (after refusals left no offer, see
 * `searchAgain`) asks for a larger page and keeps the listings the task has
 * not left out, at most `searchLimit`; finding none, the task stops as the
 * quote round did (`no_acceptable_offer`).
 */
async function discover(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  const again = s.searched.count > 0;
  const limit = again ? searchAgainLimit(s, d.searchLimit) : d.searchLimit;
  let listings: Listing[];
  try {
    const found = await d.registry.search({
      capability: s.task.capability,
      ...(s.task.category ? { category: s.task.category } : {}),
      maxPriceMsat: s.task.valueMsat,
      tier: d.prefer ?? 'default',
      alive: true,
      sort: d.search.sort,
      ...(d.search.ties === 'random' && { ties: 'random' as const }),
      limit,
    });
    if (Array.isArray(found)) listings = found;
    else if (found.ok) listings = found.listings;
    else throw new Error(`${found.code}: ${found.message}`);
  } catch (err) {
    d.logger.warn({ err, buyer: d.name }, 'registry search failed');
    return { stop: 'registry_unavailable', steps: timed(d, 'discover', at) };
  }
  const searched = {
    count: s.searched.count + 1,
    full: listings.length >= limit,
    refused: s.refusedSellers.length,
  };
  if (again) listings = stillUsable(s, listings, d.searchLimit);
  const none = again ? 'no_acceptable_offer' : 'no_sellers';
  return { listings, searched, stop: listings.length ? undefined : none, steps: timed(d, 'discover', at) };
}

/** The decider picks among live offers, in registry order, each weighed for the calls left. */
async function decide(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  const live = s.listings
    .map((l) => s.offers[l.id])
    .filter((q): q is ListedOffer => !!q && !s.excluded.includes(q.listing.id))
    // A token that is used up or expired is no offer: quote re-probes its seller.
    .filter((q) => q.source !== 'token' || tokenUsable(q.token!, at))
    .map((q) => weigh(s, q));
  let choice: { index: number; reason: string; record?: DecisionRecord };
  try {
    choice = live.length
      ? await d.decider.choose(live, s.task)
      : { index: -1, reason: 'no live quote', record: undefined };
  } catch (err) {
    // A decider that throws (a custom one; the LLM decider falls back itself) ends the task as no choice,
    // so what the task already paid is still reported.
    const reason = `the ${d.decider.name} decider failed (${modelErrorName(err)}); buying nothing`;
    d.logger.warn({ buyer: d.name, task: s.task.id, err: modelErrorName(err) }, 'decider failed');
    choice = {
      index: -1,
      reason,
      record: { decider: d.decider.name, reason, latencyMs: d.clock.now() - at, fallback: true },
    };
  }
  const chosen = choice.index >= 0 ? live[choice.index]!.listing.id : undefined;
  return {
    chosen,
    decisions: choice.record ? [choice.record] : [],
    stop: chosen ? undefined : 'no_acceptable_offer',
    steps: timed(d, 'decide', at),
  };
}
