import type { L402Scheme } from '../../infra/l402/index.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { ListingSort, ListingTies, TierKind } from '../../services/registry/types.js';
import type { BuyerNegotiator, NegotiationRecord, PurchaseEngine } from '../l402/index.js';
import type { PaymentPolicy } from '../policies/index.js';
import type { Decider } from './deciders/index.js';
import type { BuyerStateT } from './state.js';
import type { Delegation, ListingSource } from './types.js';

/** What the buyer graph's nodes use. */
export interface BuyerDeps {
  name: string;
  registry: ListingSource;
  /** The purchase engine whose stages the nodes run (the L402 client's). */
  engine: PurchaseEngine;
  decider: Decider;
  /** The policy for this agent's purchases (default: the engine's). */
  policy?: PaymentPolicy;
  clock: Clock;
  logger: Logger;
  /** Where quotes come from: live 402 challenges (default) or the sellers' discovery manifests. */
  quoteFrom: 'challenge' | 'manifest';
  /** While a usable token is held for some listing, do not ask the others for invoices. */
  preferHeldTokens: boolean;
  /** Listings fetched per search (the buyer's search bandwidth). */
  searchLimit: number;
  /** How the registry orders what it finds (default price, ties by id). */
  search: { sort: ListingSort; ties: ListingTies };
  /** How quotes are collected: all at once, or streamed to the decider as they arrive. */
  quoting: QuotingMode;
  /** The tier kind asked of each seller advertising one (`L402-Tier`); absent: every seller's default tier. */
  prefer?: TierKind;
  /** Keep response bodies in the run's state (`outputs`). */
  keepOutputs: boolean;
  /** Bids with sellers that negotiate before the policy sees the offer (absent: pay the posted price). */
  negotiator?: BuyerNegotiator;
  /** Told how each negotiation went (the simulator's metrics). */
  onNegotiation?: (r: NegotiationRecord & { seller: string }) => void;
  /** Told as each graph node starts, with the state it starts from (the agent's `TaskProgress`). */
  onNode?: (node: string, s: BuyerStateT) => void;
  /**
   * Turns an owned token into a delegation for a sub-agent (the delegate step); `callsUsed` is what
   * the token has used or handed down already, and the step adds the delegation's calls to it.
   */
  delegate?: (
    token: {
      macaroon: string;
      preimage: string;
      origin: string;
      scheme?: L402Scheme;
      service?: string;
      callsUsed: number;
    },
    spec: NonNullable<BuyerStateT['task']['delegate']>,
  ) => Delegation;
}

/**
 * How the quote node collects quotes. `all` waits for every seller asked.
 * `stream` takes them in arrival order and stops at the first the decider
 * accepts (`Decider.accepts`), after `maxQuotes` offers, or at `timeoutMs`
 * on the clock; quotes arriving later are not waited for.
 */
export type QuotingMode = { mode: 'all' } | { mode: 'stream'; timeoutMs: number; maxQuotes: number };
