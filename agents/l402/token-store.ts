import { pathWithin, type L402Scheme } from '../../infra/l402/index.js';
import type { Logger } from '../../infra/log.js';
import type { Msat } from '../../infra/money.js';
import { methodsKey, tokenCovers } from './token-binding.js';

/**
 * A token the buyer holds for a scope (origin + path prefix) and the methods
 * its macaroon's `<service>_methods` caveat allows (all without one). It is written
 * as `pending` BEFORE the invoice is paid, so a crash between paying and
 * storing never leads to paying twice: on restart the payment is looked up
 * by hash and the token completed or dropped (as lnget does).
 */
export interface StoredToken {
  /** `scheme://host[:port]`. */
  origin: string;
  /** Path prefix the token is used for (whole segments). */
  pathPrefix: string;
  /** Base64 macaroon. */
  macaroon: string;
  /**
   * The scheme of the challenge paid for the token, the one its `Authorization` is sent in (an
   * LSAT-era server offers and accepts `LSAT` only); absent (a token stored without one): `L402`.
   */
  scheme?: L402Scheme;
  paymentHash: string;
  /** Hex preimage; absent while pending. */
  preimage?: string;
  state: 'pending' | 'paid';
  invoice?: string;
  amountMsat?: Msat;
  createdAt: number;
  /** From the token's valid_until caveat. */
  validUntilMs?: number;
  /** From the token's max_calls caveat. */
  maxCalls?: number;
  /** Authorized requests sent with this token (a local estimate; the server's count rules). */
  callsUsed: number;
  service?: string;
}

/** Where a buyer keeps its tokens. `get` is synchronous so a lookup and a claim never interleave. */
export interface TokenStore {
  /**
   * The token whose scope covers `path` at `origin` (longest prefix wins), in
   * any state; within one scope a pending token comes before the paid one (the
   * latest pending first), so a payment in progress is waited for. With
   * `method`, only a token whose macaroon's methods and path-prefix caveats
   * allow `method path` (token-binding.ts): a token is never handed to a
   * request the seller must refuse it for.
   */
  get(origin: string, path: string, method?: string): StoredToken | undefined;
  /** Every token held, paid ones then pending ones (for recovery and inspection). */
  list(): StoredToken[];
  /**
   * Stores a token; resolves once durable. A paid token replaces the paid token
   * of its scope and method set (a GET-only token never replaces a POST-only
   * one) and completes the pending one of its payment hash; a pending
   * token is kept by its payment hash, beside any other, so one payment's
   * record never replaces another's.
   */
  put(token: StoredToken): Promise<void>;
  /** Counts one authorized use (persisted lazily). */
  recordUse(token: StoredToken): void;
  /** Gives back one counted use the seller did not count (a 5xx) or may not have seen (no answer); persisted lazily. */
  returnUse(token: StoredToken): void;
  /**
   * Lowers the calls left on a `max_calls` token to `callsLeft`, the seller's `L402-Calls-Remaining`,
   * when that is fewer than the buyer's own count; never raises it (a seller's word must not make the
   * buyer send calls it did not pay for). Anything but a count of 0 or more is ignored; persisted lazily.
   */
  lowerCallsLeft(token: StoredToken, callsLeft: number): void;
  /**
   * Drops the scope's token with `paymentHash`, pending or paid; without a
   * hash, the scope's paid tokens, of every method set (a pending one is
   * dropped by its hash only, so no payment's record is lost by accident).
   */
  evict(origin: string, pathPrefix: string, paymentHash?: string): Promise<void>;
}

/**
 * Whether a paid token may still be sent: not expired on the clock and calls left.
 * Which request it may be sent with is the store's `get` with a method.
 */
export function tokenUsable(t: StoredToken, nowMs: number): boolean {
  if (t.state !== 'paid' || !t.preimage) return false;
  if (t.validUntilMs !== undefined && nowMs >= t.validUntilMs) return false;
  if (t.maxCalls !== undefined && t.callsUsed >= t.maxCalls) return false;
  return true;
}

/**
 * Claims one call on `t` for the caller when `tokenUsable` says it has one, counting it in the same
 * synchronous step as the check: concurrent purchases of one buyer that all saw the token's last call
 * (each then awaited something: a decider, a flight) claim it one at a time, so an N-call token gives
 * exactly N of them a call and the others false (they buy or quote instead of sending it). A call
 * given back later (a 5xx, no answer) is claimed again by the next caller.
 */
export function claimCall(tokens: TokenStore, t: StoredToken, nowMs: number): boolean {
  if (!tokenUsable(t, nowMs)) return false;
  tokens.recordUse(t);
  return true;
}

/** The calls used that a seller's count of calls left implies; undefined without `max_calls` or a count of 0 or more. */
function usedBySellerCount(t: StoredToken, callsLeft: number): number | undefined {
  if (t.maxCalls === undefined || !Number.isSafeInteger(callsLeft) || callsLeft < 0) return undefined;
  return t.maxCalls - Math.min(callsLeft, t.maxCalls);
}

/** Orders tokens covering one path: the longer prefix first, then a pending token before a paid one. */
const rank = (t: StoredToken): number => t.pathPrefix.length * 2 + (t.state === 'pending' ? 1 : 0);

/**
 * Counts `calls` handed down from `t` (sliced for resale, delegated to a sub-agent) as used, and
 * writes the count on the store's record of the same token while the store still holds it (never
 * bringing back one dropped since), so the holder's own reuse stops where the origin's shared
 * counter would refuse it.
 */
export async function countHandedDown(tokens: TokenStore, t: StoredToken, calls: number): Promise<void> {
  t.callsUsed += calls;
  // By payment hash: the scope may hold tokens for other methods beside it.
  const held = tokens.list().find((x) => x.state === 'paid' && x.paymentHash === t.paymentHash);
  if (!held) return;
  held.callsUsed = Math.max(held.callsUsed, t.callsUsed);
  await tokens.put(held);
}

/**
 * Waits for a token change made once a payment's fate is known (a token paid, recovered, dropped).
 * The store holds the change in memory already; a write that fails (a full disk, a directory gone)
 * is logged and retried with the store's next change, never thrown into the purchase: the money
 * has moved, and what a restart needs, the pending token written before paying, is on disk (its
 * payment is recovered by hash).
 */
export async function writeAfterPaying(write: Promise<void>, logger: Logger, what: string): Promise<void> {
  try {
    await write;
  } catch (err) {
    logger.error(
      { err: (err as Error)?.message ?? String(err) },
      `l402: the token store could not write ${what}; kept in memory, written with its next change`,
    );
  }
}

/** Drops `t`, refused by its seller, from `tokens` (the write as `writeAfterPaying` waits for it). */
export function dropToken(tokens: TokenStore, t: StoredToken, logger: Logger): Promise<void> {
  return writeAfterPaying(
    tokens.evict(t.origin, t.pathPrefix, t.paymentHash),
    logger,
    "a refused token's drop",
  );
}

/** The key of a paid token within its origin: its method set, then its path prefix. */
const paidKey = (t: StoredToken): string => `${methodsKey(t)} ${t.pathPrefix}`;

/**
 * Tokens in memory: per origin, the paid token of each path prefix and method
 * set; and every pending token by its payment hash, so a second payment for a
 * scope never overwrites the first one's record (crash recovery finds both).
 */
export class MemoryTokenStore implements TokenStore {
  /** Paid tokens by origin, then method set and path prefix (`paidKey`). */
  readonly #paid = new Map<string, Map<string, StoredToken>>();
  /** Pending tokens by payment hash, in the order they were stored. */
  readonly #pending = new Map<string, StoredToken>();

  get(origin: string, path: string, method?: string): StoredToken | undefined {
    let best: StoredToken | undefined;
    const consider = (t: StoredToken) => {
      if (!pathWithin(path, t.pathPrefix) || (method !== undefined && !tokenCovers(t, method, path))) return;
      // Equal ranks: the one stored later (a later pending payment, the newer of two paid tokens) wins.
      if (!best || rank(t) >= rank(best)) best = t;
    };
    for (const t of this.#paid.get(origin)?.values() ?? []) consider(t);
    for (const t of this.#pending.values()) if (t.origin === origin) consider(t);
    return best;
  }

  list(): StoredToken[] {
    return [...[...this.#paid.values()].flatMap((m) => [...m.values()]), ...this.#pending.values()];
  }

  put(token: StoredToken): Promise<void> {
    this.insert(token);
    return this.changed();
  }

  recordUse(token: StoredToken): void {
    token.callsUsed++;
    // Counts are hints; a failed write of one is retried with the next change.
    this.changed().catch(() => {});
  }

  returnUse(token: StoredToken): void {
    if (token.callsUsed === 0) return;
    token.callsUsed--;
    this.changed().catch(() => {});
  }

  lowerCallsLeft(token: StoredToken, callsLeft: number): void {
    const used = usedBySellerCount(token, callsLeft);
    if (used === undefined || used <= token.callsUsed) return;
    token.callsUsed = used;
    this.changed().catch(() => {});
  }

  evict(origin: string, pathPrefix: string, paymentHash?: string): Promise<void> {
    const pending = paymentHash === undefined ? undefined : this.#pending.get(paymentHash);
    if (pending?.origin === origin && pending.pathPrefix === pathPrefix) {
      this.#pending.delete(paymentHash!);
      return this.changed();
    }
    const scopes = this.#paid.get(origin);
    const dropped = [...(scopes?.entries() ?? [])].filter(
      ([, t]) => t.pathPrefix === pathPrefix && (paymentHash === undefined || t.paymentHash === paymentHash),
    );
    if (!scopes || dropped.length === 0) return Promise.resolve();
    for (const [key] of dropped) scopes.delete(key);
    if (scopes.size === 0) this.#paid.delete(origin);
    return this.changed();
  }

  /** Stores `token` as `put` does, without persisting (for loading a persisted store). */
  protected insert(token: StoredToken): void {
    if (token.state === 'pending') {
      this.#pending.set(token.paymentHash, token);
      return;
    }
    this.#pending.delete(token.paymentHash);
    let scopes = this.#paid.get(token.origin);
    if (!scopes) this.#paid.set(token.origin, (scopes = new Map()));
    // Stored last, found first among equals: a scope's tokens for overlapping method sets answer with the newest.
    const key = paidKey(token);
    scopes.delete(key);
    scopes.set(key, token);
  }

  /** Hook for persistent subclasses; resolves when the change is durable. */
  protected changed(): Promise<void> {
    return Promise.resolve();
  }
}
