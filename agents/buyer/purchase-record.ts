import type { Listing } from '../../services/registry/types.js';
import type { PurchaseHints, PurchaseOutcome } from '../l402/index.js';
import type { BuyerStateT } from './state.js';
import type { BuyerPurchase, ListedOffer, QuoteArrival, Task } from './types.js';

/** The URL a task calls at a listing: the task's path on the listing's origin, or the listing's URL. */
export function requestFor(listing: Listing, task: Task): URL {
  return task.path ? new URL(task.path, listing.url) : new URL(listing.url);
}

/**
 * Task calls a quote would serve: what is left, capped by the token's
 * remaining calls (a held token), the calls the offered token allows (a
 * challenge), or the calls of the listed tier quoted (a manifest price: 1
 * for a single call, N for a bundle, uncapped for a pass).
 */
export function coverage(
  s: BuyerStateT,
  q: Pick<ListedOffer, 'source' | 'token' | 'offer' | 'tier'> | undefined,
): number {
  const left = Math.max(1, s.task.calls - s.callsDone);
  if (q?.source === 'token' && q.token?.maxCalls !== undefined)
    return Math.min(left, q.token.maxCalls - q.token.callsUsed);
  const tier = q?.tier;
  const listed = tier?.kind === 'single' ? 1 : tier?.kind === 'bundle' ? tier.calls : undefined;
  const max = q?.offer ? q.offer.limits.maxCalls : listed;
  return max === undefined ? left : Math.min(left, max);
}

/** What the client is told about a listing before paying it: its value is that of the `covers` calls it buys. */
export function hintsFor(buyer: string, listing: Listing, task: Task, covers: number): PurchaseHints {
  return {
    expectedPayee: listing.nodePubkey,
    service: listing.name,
    category: listing.category,
    taskValueMsat: Math.floor((task.valueMsat * covers) / task.calls),
    callsCovered: covers,
    buyer,
  };
}

/** Fields of one purchase record (what the node knows). */
export interface PurchaseFields {
  outcome: PurchaseOutcome;
  reason?: string;
  /** The purchase's payment never started: its node never took it up (`PurchaseResult.notStarted`). */
  notStarted?: true;
  /** The seller's code of a refused call (`sellerCode`). */
  refusal?: string;
  rejection?: BuyerPurchase['rejection'];
  status?: number;
  quotedMsat?: number;
  paidMsat?: number;
  feeMsat?: number;
  hops?: number;
  requests?: number;
  tokenReused?: boolean;
  paymentHash?: string;
  preimage?: string;
  /** The invoice paid in this purchase (with the preimage, the proof a rating needs). */
  invoice?: string;
  macaroon?: string;
  payee?: string;
  quoteMs?: number;
  payMs?: number;
  consumeMs?: number;
  /** When the quote this purchase acted on arrived (its round's delay and rank). */
  arrival?: QuoteArrival;
  startedAt: number;
  endedAt: number;
}

/** One row of the run's purchase log, in the client's `PurchaseResult` shape plus the seller. */
export function buildPurchase(
  s: BuyerStateT,
  listing: Listing,
  f: PurchaseFields,
  url: string,
): BuyerPurchase {
  const { quoteMs, payMs, consumeMs, startedAt, endedAt, arrival, ...rest } = f;
  return {
    paidMsat: 0,
    feeMsat: 0,
    hops: 0,
    requests: 0,
    tokenReused: false,
    ...rest,
    timings: { quoteMs, payMs, consumeMs, startedAt, endedAt },
    listingId: listing.id,
    seller: listing.name,
    url,
    call: s.callsDone + 1,
    stepIndex: s.steps.length,
    ...(arrival && { quoteDelayMs: arrival.delayMs, arrivalRank: arrival.rank }),
  };
}
