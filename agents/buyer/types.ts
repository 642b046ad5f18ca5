import type { L402Scheme } from '../../infra/l402/index.js';
import type { Msat } from '../../infra/money.js';
import type { ClientResult } from '../../services/registry/client.js';
import type { Listing, ListingQuery, ListingTier } from '../../services/registry/types.js';
import type { Offer, PreparedRequest, PurchaseResult, StoredToken } from '../l402/index.js';
import type { TaskCredit } from './credit.js';

/** One job for a buyer: call a service with this capability `calls` times; it is worth `valueMsat` in total. */
export interface Task {
  id: string;
  capability: string;
  category?: string;
  /** What completing the whole task is worth to the buyer. */
  valueMsat: Msat;
  /** Calls the task needs (a token's calls are reused across them). */
  calls: number;
  /** How an unfinished task is credited (default `per_call`: its value's share for the calls done; see credit.ts). */
  credit?: TaskCredit;
  /** Path to call on the seller's origin (default: the listing's URL path). */
  path?: string;
  method?: string;
  body?: string;
  /** Request headers sent with every call of the task, e.g. `content-type: application/json` for a JSON body. */
  headers?: Record<string, string>;
  /** Hand an attenuated token to a sub-agent after buying (the graph's delegate step). */
  delegate?: { to: string; calls: number; validForSec: number };
}

/**
 * Where buyers find sellers: the registry's typed `RegistryClient` (HTTP),
 * the in-process `Registry`, or anything answering a search with listings.
 */
export interface ListingSource {
  search(q: ListingQuery): Promise<Listing[] | ClientResult<{ listings: Listing[] }>> | Listing[];
}

/** One purchase attempt of a task, with the seller it was made from. */
export type BuyerPurchase = Omit<PurchaseResult, 'response'> & {
  listingId: string;
  seller: string;
  url: string;
  /** 1-based index of the task call this attempt served. */
  call: number;
  /** The invoice paid in this purchase (absent when nothing was paid): with the preimage, a proof of purchase. */
  invoice?: string;
  /** Index in the task's `steps` of the graph step that made this record (the steps before it are its history). */
  stepIndex: number;
  /** Time from the start of the quote round to this seller's quote (absent when no quote was asked for). */
  quoteDelayMs?: number;
  /** 1-based order in which this seller's quote arrived in its round (absent when no quote was asked for). */
  arrivalRank?: number;
};

/** Time spent in one graph node, on the injected clock. */
export interface StepTiming {
  node: string;
  atMs: number;
  durationMs: number;
}

/** A token handed to a sub-agent by the delegate step. */
export interface Delegation {
  to: string;
  origin: string;
  macaroon: string;
  preimage: string;
  /** The scheme its `Authorization` is sent in (the paid challenge's; an LSAT-era origin accepts `LSAT` only); absent: `L402`. */
  scheme?: L402Scheme;
  calls: number;
  validUntilMs: number;
}

/** Why a task run ended. */
export type StopReason =
  | 'done'
  | 'no_sellers'
  | 'registry_unavailable'
  | 'no_acceptable_offer'
  | 'budget_exhausted'
  | 'escalated'
  /**
   * A payment's fate was unknown when paying ended (still in flight, a preimage that does not open the
   * hash, or an earlier payment for the seller's token still in flight): the money may be gone, so the task
   * buys nothing more, from this seller or any other. Its purchase record says which (`payment_timeout`, …).
   */
  | 'payment_unknown'
  | 'step_limit'
  /** The run the task was part of ended under it (a simulation's time limit): recorded as it stood (`BuyerAgent.unfinished`). */
  | 'unfinished';

/** What one task run did and cost. */
export interface TaskResult {
  taskId: string;
  done: boolean;
  stopReason: StopReason;
  /** Calls delivered. */
  calls: number;
  purchases: BuyerPurchase[];
  /** Paid to sellers (excluding fees). */
  spentMsat: Msat;
  feesMsat: Msat;
  /** The value the task earned under its credit rule (`earnedMsat` in credit.ts), not its whole `Task.valueMsat`. */
  earnedMsat: Msat;
  /**
   * One record per decision the task's decider made, by every decider (a rule's or
   * thompson's with latency 0); the model calls among them are the records naming a `model`.
   */
  decisions: DecisionRecord[];
  delegations: Delegation[];
  steps: StepTiming[];
  startedAt: number;
  endedAt: number;
}

/**
 * One seller's offer as the buyer holds it: a live 402 challenge (the
 * engine's checked `Offer`), a price from the seller's manifest, or a token
 * already held (price 0). Quoting fills it, the decider weighs it, and the
 * authorize, pay and consume nodes act on it.
 */
export interface ListedOffer {
  listing: Listing;
  /** Where the price came from. */
  source: 'challenge' | 'manifest' | 'token';
  /** Price of buying access now (0 when a usable token is held). */
  priceMsat: Msat;
  /** Task calls this purchase would serve (as of the last quote or decision). */
  covers: number;
  /** Share of the task's value those calls are worth. */
  valueMsat: Msat;
  /** The request the task sends to this seller. */
  req: PreparedRequest;
  /**
   * HTTP requests sent to this seller for this offer so far (manifest read, 402 challenge, negotiation
   * bids): the purchase made on it adds its own call and records the sum as its `requests`. 0 for a
   * held token, which nothing was asked for.
   */
  requests: number;
  /** Set for `challenge`: the checked invoice and macaroon (a `manifest` offer has only a price). */
  offer?: Offer;
  /** Set for `token`: the token to send. */
  token?: StoredToken;
  /** Set for `manifest`: the listed tier the price is for (its calls bound what the offer covers). */
  tier?: ListingTier;
  /** When this offer's quote arrived in its quote round (absent for a held token). */
  arrival?: QuoteArrival;
  /** True when the token was bought in this purchase (its cost is in `paid`). */
  fresh?: boolean;
  /** True when the engine already counted the next call on the token (claimed when paying, before waking others). */
  claimed?: boolean;
  /** Set once paid: the cost, and the invoice paid (a proof of purchase with the token's preimage). */
  paid?: {
    amountMsat: Msat;
    feeMsat: Msat;
    hops: number;
    payMs: number;
    quoteMs?: number;
    arrival?: QuoteArrival;
    invoice?: string;
  };
}

/** When a quote arrived: ms after its quote round started, and its 1-based rank among the round's arrivals. */
export interface QuoteArrival {
  delayMs: number;
  rank: number;
}

/** What a decider weighs of an offer. */
export type OfferTerms = Pick<
  ListedOffer,
  'listing' | 'source' | 'priceMsat' | 'covers' | 'valueMsat' | 'arrival'
>;

/** One decision a decider made, for the run's record, whoever made it. */
export interface DecisionRecord {
  decider: string;
  /** The listing id bought from; absent when the decision was to buy nothing. */
  chosen?: string;
  reason: string;
  /** Ms the decision took on the buyer's clock (0 for a rule). */
  latencyMs: number;
  /** Tokens the model's answer reported using (model calls only, when the provider says). */
  inputTokens?: number;
  outputTokens?: number;
  /**
   * The model asked, set exactly when this decision was a model call (answered or not): absent for
   * rules, thompson, and the llm decider when no offer was worth its price (it does not ask).
   */
  model?: string;
  /** The decider's own answer stood in for one it could not get (an invalid or failed model call, a decider that threw). */
  fallback?: boolean;
}
