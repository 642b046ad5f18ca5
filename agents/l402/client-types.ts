import type { PaymentPolicy } from '../policies/index.js';
import type { PurchaseEngine, PurchaseEngineOptions } from './engine-types.js';
import type { PurchaseHints, PurchaseResult } from './outcome.js';
import type { StoredToken, TokenStore } from './token-store.js';

/** What an L402 client needs: the engine's options. */
export type L402ClientOptions = PurchaseEngineOptions;

/** `RequestInit` plus what the buyer knows about the seller. */
export type L402RequestInit = RequestInit & { l402?: PurchaseHints };

/** An L402-paying HTTP client: the purchase engine run straight through. */
export interface L402Client {
  /** fetch(), paying 402s. A failed purchase answers with the server's status (402 when it asked to be paid) and headers `x-l402-outcome`, `x-l402-reason`. */
  fetch(input: string | URL | Request, init?: L402RequestInit): Promise<Response>;
  /** The same work, returning the detailed record. */
  purchase(input: string | URL | Request, init?: RequestInit, hints?: PurchaseHints): Promise<PurchaseResult>;
  /** Buys (or finds) a token for a resource without calling it: no call of the token is used. */
  acquire(
    input: string | URL | Request,
    init?: RequestInit,
    hints?: PurchaseHints,
  ): Promise<PurchaseResult & { token?: StoredToken }>;
  /** Completes or drops every pending token left by a crash (payment looked up by hash). */
  recover(): Promise<{ completed: number; dropped: number; inFlight: number }>;
  /** The engine this client runs; a buyer graph runs its stages as nodes, under the same guards. */
  readonly engine: PurchaseEngine;
  readonly tokens: TokenStore;
  readonly policy: PaymentPolicy;
}
