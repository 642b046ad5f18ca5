import type { Listing } from '../../services/registry/types.js';
import { tokenUsable } from '../l402/index.js';
import type { BuyerDeps } from './deps.js';
import { prepare, quoteOne, weigh } from './offers.js';
import type { BuyerStateT, BuyerUpdate } from './state.js';
import type { BuyerPurchase, ListedOffer } from './types.js';

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

/** Registry search for sellers of the capability. */
async function discover(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  let listings: Listing[];
  try {
    const found = await d.registry.search({
      capability: s.task.capability,
      ...(s.task.category ? { category: s.task.category } : {}),
      maxPriceMsat: s.task.valueMsat,
      alive: true,
      sort: 'price',
      limit: d.searchLimit,
    });
    if (Array.isArray(found)) listings = found;
    else if (found.ok) listings = found.listings;
    else throw new Error(`${found.code}: ${found.message}`);
  } catch (err) {
    d.logger.warn({ err, buyer: d.name }, 'registry search failed');
    return { stop: 'registry_unavailable', steps: timed(d, 'discover', at) };
  }
  return { listings, stop: listings.length ? undefined : 'no_sellers', steps: timed(d, 'discover', at) };
}

/** Offers still good now: unexpired invoices, tokens with calls left, listings not excluded. */
function liveOffers(s: BuyerStateT, at: number): Record<string, ListedOffer> {
  const offers: Record<string, ListedOffer> = {};
  for (const [id, q] of Object.entries(s.offers)) {
    // Drop offers whose invoice expired or whose token ran out; they are re-quoted.
    const live =
      q.source === 'token'
        ? tokenUsable(q.token!, at)
        : q.source === 'manifest' || q.offer!.invoice.expiresAtMs > at;
    if (live && !s.excluded.includes(id)) offers[id] = q;
  }
  return offers;
}

/** Quotes every seller not excluded and without a live offer, concurrently. */
async function quote(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  const offers = liveOffers(s, at);
  const unquoted = s.listings.filter((l) => !offers[l.id] && !s.excluded.includes(l.id));
  const prepared = await Promise.all(unquoted.map((l) => prepare(d, s, l)));
  for (const p of prepared) if (p.held) offers[p.held.listing.id] = p.held;
  // A token already paid for costs nothing more: while one is held, other sellers are not asked for invoices.
  const holding = d.preferHeldTokens && Object.values(offers).some((q) => q.source === 'token');
  const results = holding
    ? []
    : await Promise.all(
        unquoted.flatMap((l, i) => (prepared[i]!.held ? [] : [quoteOne(d, s, l, prepared[i]!.req)])),
      );
  const excluded: string[] = [];
  const purchases: BuyerPurchase[] = [];
  for (const r of results) {
    if ('failed' in r) {
      excluded.push(...(r.failed.excluded as string[]));
      purchases.push(...(r.failed.purchases as BuyerPurchase[]));
    } else offers[r.listing.id] = r;
  }
  const any = Object.keys(offers).length > 0;
  return {
    offers,
    excluded,
    purchases,
    stop: any ? undefined : 'no_acceptable_offer',
    steps: timed(d, 'quote', at),
  };
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
  const choice = live.length
    ? await d.decider.choose(live, s.task)
    : { index: -1, reason: 'no live quote', record: undefined };
  const chosen = choice.index >= 0 ? live[choice.index]!.listing.id : undefined;
  return {
    chosen,
    decisions: choice.record ? [choice.record] : [],
    stop: chosen ? undefined : 'no_acceptable_offer',
    steps: timed(d, 'decide', at),
  };
}
