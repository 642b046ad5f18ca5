import { Annotation } from '@langchain/langgraph';
import type { Msat } from '../../infra/money.js';
import type { Listing } from '../../services/registry/types.js';
import type { Offer, PreparedRequest, StoredToken } from '../l402/index.js';
import type { Reservation } from '../policies/index.js';
import type { BuyerPurchase, Delegation, DecisionRecord, StepTiming, StopReason, Task } from './types.js';

/** What the buyer knows about one seller right now: a live quote, or a token it holds. */
export interface SellerQuote {
  listing: Listing;
  req: PreparedRequest;
  source: 'challenge' | 'manifest' | 'token';
  priceMsat: Msat;
  /** Set for `challenge`: the checked invoice and macaroon (a `manifest` quote has only a price). */
  offer?: Offer;
  /** Set for `token`: the token to send. */
  token?: StoredToken;
  /** True when the token was bought in this purchase (its cost is in `paid`). */
  fresh?: boolean;
  paid?: {
    amountMsat: Msat;
    feeMsat: Msat;
    hops: number;
    payMs: number;
    quoteMs?: number;
    preimage?: string;
  };
}

const replace = <T>(_old: T, next: T): T => next;
const concat = <T>(a: T[], b: T[]): T[] => a.concat(b);
const sum = (a: number, b: number): number => a + b;

/** The buyer graph's state: one object per task run, with reducers for what accumulates. */
export const BuyerState = Annotation.Root({
  task: Annotation<Task>(),
  listings: Annotation<Listing[]>({ reducer: replace, default: () => [] }),
  /** Quotes by listing id (replaced whole by the node that changes them). */
  quotes: Annotation<Record<string, SellerQuote>>({ reducer: replace, default: () => ({}) }),
  /** Listings that failed or cheated in this run, never tried again. */
  excluded: Annotation<string[]>({ reducer: concat, default: () => [] }),
  chosen: Annotation<string | undefined>({ reducer: replace, default: () => undefined }),
  reservation: Annotation<Reservation | undefined>({ reducer: replace, default: () => undefined }),
  purchases: Annotation<BuyerPurchase[]>({ reducer: concat, default: () => [] }),
  callsDone: Annotation<number>({ reducer: sum, default: () => 0 }),
  spentMsat: Annotation<number>({ reducer: sum, default: () => 0 }),
  feesMsat: Annotation<number>({ reducer: sum, default: () => 0 }),
  decisions: Annotation<DecisionRecord[]>({ reducer: concat, default: () => [] }),
  delegations: Annotation<Delegation[]>({ reducer: concat, default: () => [] }),
  outputs: Annotation<string[]>({ reducer: concat, default: () => [] }),
  steps: Annotation<StepTiming[]>({ reducer: concat, default: () => [] }),
  stop: Annotation<StopReason | undefined>({ reducer: replace, default: () => undefined }),
});

/** The state as nodes read it. */
export type BuyerStateT = typeof BuyerState.State;
/** What a node returns. */
export type BuyerUpdate = typeof BuyerState.Update;
