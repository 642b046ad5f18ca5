import { pathWithin } from '../../infra/l402/index.js';
import type { Msat } from '../../infra/money.js';

/**
 * A token the buyer holds for a scope (origin + path prefix). It is written
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
  /** The token whose scope covers `path` at `origin` (longest prefix wins), in any state. */
  get(origin: string, path: string): StoredToken | undefined;
  /** Every token held (for recovery and inspection). */
  list(): StoredToken[];
  /** Stores or replaces the token for its scope; resolves once durable. */
  put(token: StoredToken): Promise<void>;
  /** Counts one authorized use (persisted lazily). */
  recordUse(token: StoredToken): void;
  /** Drops the token for a scope (only if it still holds `paymentHash`, when given). */
  evict(origin: string, pathPrefix: string, paymentHash?: string): Promise<void>;
}

/** Whether a paid token may still be sent: not expired on the clock and calls left. */
export function tokenUsable(t: StoredToken, nowMs: number): boolean {
  if (t.state !== 'paid' || !t.preimage) return false;
  if (t.validUntilMs !== undefined && nowMs >= t.validUntilMs) return false;
  if (t.maxCalls !== undefined && t.callsUsed >= t.maxCalls) return false;
  return true;
}

/** Tokens in memory, indexed by origin then path prefix. */
export class MemoryTokenStore implements TokenStore {
  protected readonly byOrigin = new Map<string, Map<string, StoredToken>>();

  get(origin: string, path: string): StoredToken | undefined {
    const scopes = this.byOrigin.get(origin);
    if (!scopes) return undefined;
    let best: StoredToken | undefined;
    for (const [prefix, token] of scopes) {
      if (pathWithin(path, prefix) && (!best || prefix.length > best.pathPrefix.length)) best = token;
    }
    return best;
  }

  list(): StoredToken[] {
    return [...this.byOrigin.values()].flatMap((m) => [...m.values()]);
  }

  put(token: StoredToken): Promise<void> {
    let scopes = this.byOrigin.get(token.origin);
    if (!scopes) this.byOrigin.set(token.origin, (scopes = new Map()));
    scopes.set(token.pathPrefix, token);
    return this.changed();
  }

  recordUse(token: StoredToken): void {
    token.callsUsed++;
    // Counts are hints; a failed write of one is retried with the next change.
    this.changed().catch(() => {});
  }

  evict(origin: string, pathPrefix: string, paymentHash?: string): Promise<void> {
    const scopes = this.byOrigin.get(origin);
    const held = scopes?.get(pathPrefix);
    if (!scopes || !held || (paymentHash !== undefined && held.paymentHash !== paymentHash)) {
      return Promise.resolve();
    }
    scopes.delete(pathPrefix);
    if (scopes.size === 0) this.byOrigin.delete(origin);
    return this.changed();
  }

  /** Hook for persistent subclasses; resolves when the change is durable. */
  protected changed(): Promise<void> {
    return Promise.resolve();
  }
}
