import type { PayFailure } from '../l402/index.js';
import { chosenTier, heldTo } from './chosen-tier.js';
import { consumeNode } from './consume-node.js';
import type { BuyerDeps } from './deps.js';
import { timed } from './find-nodes.js';
import { challengeOffer, weigh, type FailedQuote } from './offers.js';
import { buildPurchase, coverage, hintsFor } from './purchase-record.js';
import type { BuyerStateT, BuyerUpdate } from './state.js';
import type { BuyerPurchase, ListedOffer } from './types.js';
import { leaveOutSellers, refusedIn } from './refused-sellers.js';
import type { Listing } from '../../services/registry/types.js';

/** The nodes that buy the chosen offer, each one stage of the purchase engine: authorize, pay, consume (deliver). */
export function buyNodes(d: BuyerDeps) {
  return {
    authorize: (s: BuyerStateT) => authorize(d, s),
    pay: (s: BuyerStateT) => pay(d, s),
    consume: consumeNode(d),
  };
}

/** The payment policy holds the money, or says no. */
async function authorize(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  let q = s.offers[s.chosen!]!;
  if (q.source === 'token') return { steps: timed(d, 'authorize', at) };
  let offers: Record<string, ListedOffer> | undefined;
  if (q.source === 'manifest') {
    // Chosen from its manifest: now ask for the real challenge, checked like any other and
    // refused above the manifest price the choice was made at.
    const live = await challengeOffer(d, s, q.listing, q.req, at, {
      requests: q.requests,
      quotedPriceMsat: q.priceMsat,
    });
    if ('failed' in live) return { ...refused(s, live.failed, q.listing), steps: timed(d, 'authorize', at) };
    q = { ...live, ...(q.arrival && { arrival: q.arrival }) };
    offers = { ...s.offers, [q.listing.id]: q };
  }
  let hints = hintsFor(d.name, q.listing, s.task, coverage(s, q));
  // The most the policy lets this offer cost: no bid above it, and none when it leaves nothing
  // (the policy's own refusal of the offer below then says why).
  const ceiling = d.negotiator && d.engine.ceiling(q.offer!, hints, d.policy);
  if (d.negotiator && ceiling !== 0) {
    const listing = q.listing;
    // The agreed token is held to the tier the seller was chosen for, as the offer was.
    const held = heldTo(listing, chosenTier(listing, d.prefer, s.task));
    const bounded = ceiling === undefined ? hints : { ...hints, maxPriceMsat: ceiling };
    const n = await d.engine.negotiate(q.offer!, d.negotiator, bounded, held);
    d.onNegotiation?.({ ...n.negotiation, seller: listing.name });
    // Every bid was a request to the seller, whatever came of it.
    q = { ...q, requests: q.requests + n.negotiation.rounds };
    if (!n.ok) return negotiationFailed(d, s, q, n, at);
    if (n.offer !== q.offer) {
      // The agreed offer is weighed and bounded on its own token: the task value of the calls it covers.
      q = weigh(s, { ...q, offer: n.offer, priceMsat: n.offer.amountMsat });
      hints = hintsFor(d.name, listing, s.task, coverage(s, q));
    }
    offers = { ...(offers ?? s.offers), [listing.id]: q };
  }
  const allowed = await d.engine.authorize(q.offer!, hints, d.policy);
  if (allowed.ok)
    return { grant: allowed.grant, ...(offers ? { offers } : {}), steps: timed(d, 'authorize', at) };
  const { outcome, reason } = allowed;
  const record = {
    outcome,
    reason,
    quotedMsat: q.priceMsat,
    // The token offered (its tier), as the client's own records keep it.
    macaroon: q.offer!.macaroon,
    startedAt: at,
    endedAt: d.clock.now(),
    requests: q.requests,
    arrival: q.arrival,
  };
  return {
    purchases: [buildPurchase(s, q.listing, record, q.req.url.href)],
    excluded: outcome === 'policy_denied' ? [q.listing.id] : [],
    stop: outcome === 'over_budget' ? 'budget_exhausted' : outcome === 'escalated' ? 'escalated' : undefined,
    steps: timed(d, 'authorize', at),
  };
}

/** No price agreed with the chosen seller (or its agreed challenge refused): recorded, and the seller is dropped for this task. */
function negotiationFailed(
  d: BuyerDeps,
  s: BuyerStateT,
  q: ListedOffer,
  f: Pick<BuyerPurchase, 'outcome' | 'reason' | 'rejection' | 'quotedMsat'>,
  at: number,
): BuyerUpdate {
  const record = {
    outcome: f.outcome,
    reason: f.reason,
    ...(f.rejection && { rejection: f.rejection }),
    // The refused agreed invoice's amount when there was one, else the offer's.
    quotedMsat: f.quotedMsat ?? q.priceMsat,
    startedAt: at,
    endedAt: d.clock.now(),
    requests: q.requests,
  };
  const failed = {
    purchases: [buildPurchase(s, q.listing, record, q.req.url.href)],
    excluded: [q.listing.id],
  };
  return { ...refused(s, failed, q.listing), steps: timed(d, 'authorize', at) };
}

/**
 * A failed purchase of `listing` as the task records it: when the seller sold above or outside its
 * listing, with every other listing of that seller left out too (refused-sellers.ts).
 */
function refused(s: BuyerStateT, failed: FailedQuote['failed'], listing: Listing): BuyerUpdate {
  const sellers = leaveOutSellers(s, refusedIn(failed.purchases, [listing]));
  if (sellers.refusedSellers.length === 0) return failed;
  const others = sellers.excluded.filter((id) => !failed.excluded.includes(id));
  return { ...failed, excluded: [...failed.excluded, ...others], refusedSellers: sellers.refusedSellers };
}

/**
 * Pays the chosen invoice (claiming the next call). On a failure the seller is dropped and the
 * next-best offer gets its turn, unless the payment's fate is unknown: then the task stops
 * (`payment_unknown`), since the money may be gone and nothing pays twice for one call.
 */
async function pay(d: BuyerDeps, s: BuyerStateT): Promise<BuyerUpdate> {
  const at = d.clock.now();
  const q = s.offers[s.chosen!]!;
  const paid = await d.engine.pay(s.grant!, { claim: true });
  const { [q.listing.id]: _used, ...rest } = s.offers;
  if (!paid.ok) {
    const record = {
      outcome: paid.outcome,
      reason: paid.reason,
      ...(paid.notStarted && { notStarted: paid.notStarted }),
      quotedMsat: q.priceMsat,
      payMs: paid.payMs,
      startedAt: at,
      endedAt: d.clock.now(),
      requests: q.requests,
      paymentHash: q.offer!.paymentHash,
      macaroon: q.offer!.macaroon,
      arrival: q.arrival,
    };
    return {
      offers: rest,
      grant: undefined,
      excluded: [q.listing.id],
      purchases: [buildPurchase(s, q.listing, record, q.req.url.href)],
      ...(fateUnknown(paid) && { stop: 'payment_unknown' as const }),
      steps: timed(d, 'pay', at),
    };
  }
  const p = paid.payment;
  const cost = p && { amountMsat: p.amountMsat, feeMsat: p.feeMsat, hops: p.hops, payMs: paid.payMs };
  const held = weigh(s, {
    listing: q.listing,
    req: q.req,
    // The requests this purchase sent so far: its call adds one.
    requests: q.requests,
    source: 'token',
    priceMsat: 0,
    token: paid.token,
    // Without a payment, another purchase of this resource bought the token meanwhile: ours is a reuse.
    fresh: p !== undefined,
    claimed: true,
    ...(cost
      ? {
          paid: {
            ...cost,
            quoteMs: q.offer!.quoteMs,
            arrival: q.arrival,
            invoice: q.offer!.challenge.invoice,
          },
        }
      : {}),
  });
  return {
    offers: { ...rest, [q.listing.id]: held },
    grant: undefined,
    spentMsat: p?.amountMsat ?? 0,
    feesMsat: p?.feeMsat ?? 0,
    steps: timed(d, 'pay', at),
  };
}

/**
 * Whether a failed payment may have moved money: ours came back unresolved (in flight, or a preimage that
 * does not open the hash; recovery settles it later), or an earlier payment is still in flight: the
 * engine's guard found one for the token's scope, or the node's own payment of the same invoice
 * (send-once.ts); those are the `payment_timeout` failures that carry no payment of ours.
 */
function fateUnknown(paid: PayFailure): boolean {
  return paid.unresolved === true || (paid.outcome === 'payment_timeout' && paid.payment === undefined);
}
