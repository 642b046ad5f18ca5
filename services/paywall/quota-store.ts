import type { TokenFacts } from '../../infra/l402/index.js';

/**
 * What a quota store counts for: the token, how long its counters must be
 * kept (`validUntilMs`: until no copy of the token can be valid any more, as
 * the paywall computes it from what it mints), and its `<service>_max_calls`
 * quotas.
 */
export type QuotaSubject = Pick<TokenFacts, 'tokenId' | 'validUntilMs' | 'quotas'>;

/** The outcome of trying to count one call against every quota of a token. */
export type QuotaResult =
  | {
      ok: true;
      /** Calls left under the tightest quota (Infinity when the token has none). */ remaining: number;
    }
  | { ok: false; reason: 'exhausted'; key: string; limit: number; used: number }
  /** The token already has `limit` counters: more attenuated copies, each with its own quota, are refused. */
  | { ok: false; reason: 'too_many_counters'; limit: number };

/**
 * Call counters for `<service>_max_calls` caveats. `consume` must be atomic:
 * check every quota, and only if all have room, count the call against all
 * of them, with no other consume of the same keys in between. A remote store
 * (Redis, SQL) would do it in one transaction or script.
 */
export interface QuotaStore {
  consume(token: QuotaSubject, nowMs: number): QuotaResult | Promise<QuotaResult>;
  /** Gives one call back to each quota (the handler failed and the call should not count). */
  release(token: QuotaSubject): void | Promise<void>;
  /** Calls counted so far under `key`. */
  used(key: string): number | Promise<number>;
}

interface TokenCounters {
  /** When no copy of the token can be valid any more (Infinity without a lifetime): its counters go then. */
  untilMs: number;
  used: Map<string, number>;
}

/**
 * The default store: counters in this process, grouped by token. Bounded: a
 * token holds at most `maxCountersPerToken` counters (every attenuated copy
 * with its own `max_calls` adds one), and a token's counters are dropped
 * once `validUntilMs` (the paywall's longest token lifetime after the
 * token's first call) has passed. `consume` is synchronous, so
 * check-all-then-count-all is atomic without a lock (JS runs one callback
 * at a time).
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #tokens = new Map<string, TokenCounters>();
  readonly #maxCountersPerToken: number;
  #sinceSweep = 0;

  constructor({ maxCountersPerToken = 64 }: { maxCountersPerToken?: number } = {}) {
    this.#maxCountersPerToken = maxCountersPerToken;
  }

  consume(token: QuotaSubject, nowMs: number): QuotaResult {
    this.#maybeSweep(nowMs);
    if (token.quotas.length === 0) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const entry = this.#tokens.get(token.tokenId);
    let fresh = 0;
    let remaining = Number.POSITIVE_INFINITY;
    for (const q of token.quotas) {
      const used = entry?.used.get(q.key);
      if (used === undefined) fresh++;
      if ((used ?? 0) >= q.limit)
        return { ok: false, reason: 'exhausted', key: q.key, limit: q.limit, used: used ?? 0 };
      remaining = Math.min(remaining, q.limit - (used ?? 0) - 1);
    }
    if ((entry?.used.size ?? 0) + fresh > this.#maxCountersPerToken)
      return { ok: false, reason: 'too_many_counters', limit: this.#maxCountersPerToken };
    const e = entry ?? { untilMs: token.validUntilMs ?? Number.POSITIVE_INFINITY, used: new Map() };
    if (!entry) this.#tokens.set(token.tokenId, e);
    for (const q of token.quotas) e.used.set(q.key, (e.used.get(q.key) ?? 0) + 1);
    return { ok: true, remaining };
  }

  release(token: QuotaSubject): void {
    const e = this.#tokens.get(token.tokenId);
    if (!e) return;
    for (const q of token.quotas) {
      const used = e.used.get(q.key) ?? 0;
      if (used <= 1) e.used.delete(q.key);
      else e.used.set(q.key, used - 1);
    }
    if (e.used.size === 0) this.#tokens.delete(token.tokenId);
  }

  used(key: string): number {
    // Keys are `<tokenId>:<signature>` (see infra/l402's Quota).
    return this.#tokens.get(key.split(':')[0]!)?.used.get(key) ?? 0;
  }

  /** Number of counters held (for tests and capacity planning). */
  get size(): number {
    let n = 0;
    for (const e of this.#tokens.values()) n += e.used.size;
    return n;
  }

  // A full pass once per as many calls as there are tokens: amortized O(1) per call.
  #maybeSweep(nowMs: number): void {
    if (++this.#sinceSweep < Math.max(1024, this.#tokens.size)) return;
    this.#sinceSweep = 0;
    for (const [id, e] of this.#tokens) if (e.untilMs <= nowMs) this.#tokens.delete(id);
  }
}
