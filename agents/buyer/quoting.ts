/**
 * The quote node: asks every seller not yet quoted for its price (a live 402
 * through the purchase engine's probe and offer stages, or its manifest),
 * all at once or as a stream handed to the decider in arrival order.
 */
import type { Listing } from '../../services/registry/types.js';
import type { PreparedRequest } from '../l402/index.js';
import { tokenUsable } from '../l402/index.js';
import type { BuyerDeps, QuotingMode } from './deps.js';
import { prepare, quoteOne, type FailedQuote } from './offers.js';
import { leaveOutSellers, refusedIn } from './refused-sellers.js';
import type { BuyerStateT, BuyerUpdate } from './state.js';
import type { BuyerPurchase, ListedOffer } from './types.js';

/** A time step of a node on the injected clock, for the run's step log. */
function quoteStep(d: BuyerDeps, at: number) {
  return [{ node: 'quote', atMs: at, durationMs: d.clock.now() - at }];
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
export async function quote(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  const offers = liveOffers(s, at);
  const unquoted = s.listings.filter((l) => !offers[l.id] && !s.excluded.includes(l.id));
  const prepared = await Promise.all(unquoted.map((l) => prepare(d, s, l)));
  for (const p of prepared) if (p.held) offers[p.held.listing.id] = p.held;
  // A token already paid for costs nothing more: while one is held, other sellers are not asked for invoices.
  const holding = d.preferHeldTokens && Object.values(offers).some((q) => q.source === 'token');
  const asks = holding
    ? []
    : unquoted.flatMap((l, i) => (prepared[i]!.held ? [] : [{ listing: l, req: prepared[i]!.req }]));
  const results = await collect(d, s, asks, at);
  const excluded: string[] = [];
  const purchases: BuyerPurchase[] = [];
  for (const r of results) {
    if ('failed' in r) {
      excluded.push(...r.failed.excluded);
      purchases.push(...r.failed.purchases);
    } else offers[r.listing.id] = r;
  }
  // A seller refused for selling above or outside its listing: its other listings are left out too.
  const sellers = leaveOutSellers({ ...s, offers }, refusedIn(purchases, s.listings));
  for (const id of sellers.excluded) delete offers[id];
  excluded.push(...sellers.excluded.filter((id) => !excluded.includes(id)));
  const any = Object.keys(offers).length > 0;
  return {
    offers,
    excluded,
    refusedSellers: sellers.refusedSellers,
    purchases,
    stop: any ? undefined : 'no_acceptable_offer',
    steps: quoteStep(d, at),
  };
}

/** The quotes of one round, each stamped with its delay and rank of arrival, collected by the buyer's mode. */
function collect(
  d: BuyerDeps,
  s: BuyerStateT,
  asks: { listing: Listing; req: PreparedRequest }[],
  at: number,
): Promise<(ListedOffer | FailedQuote)[]> {
  const arrivals = { at, count: 0 };
  const pending = asks.map((a) => quoteOne(d, s, a.listing, a.req, arrivals));
  return d.quoting.mode === 'all' ? Promise.all(pending) : stream(d, s, pending, d.quoting);
}

/**
 * Takes quotes as they arrive until the decider accepts one, `maxQuotes`
 * offers are in, every seller answered, or the timeout passes. The result is
 * in arrival order; quotes still on their way are left to finish unread.
 */
function stream(
  d: BuyerDeps,
  s: BuyerStateT,
  pending: Promise<ListedOffer | FailedQuote>[],
  mode: Extract<QuotingMode, { mode: 'stream' }>,
): Promise<(ListedOffer | FailedQuote)[]> {
  const got: (ListedOffer | FailedQuote)[] = [];
  if (pending.length === 0) return Promise.resolve(got);
  const deadline = new AbortController();
  return new Promise((resolve) => {
    let open = true;
    let left = pending.length;
    let offers = 0;
    const finish = () => {
      if (!open) return;
      open = false;
      deadline.abort();
      resolve(got);
    };
    for (const p of pending)
      void p.then((r) => {
        if (!open) return;
        got.push(r);
        left--;
        const accepted = !('failed' in r) && (++offers >= mode.maxQuotes || !!d.decider.accepts?.(r, s.task));
        if (accepted || left === 0) finish();
      });
    void d.clock.sleep(mode.timeoutMs, deadline.signal).then(finish);
  });
}
