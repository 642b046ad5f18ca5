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
  /**
   * Counting the call would need one counter too many: `copy` when the copy the new counters go
   * under already has `limit` counters right under it, `token` when the whole token has `limit`.
   */
  | { ok: false; reason: 'too_many_counters'; scope: 'copy' | 'token'; limit: number };

/** The outcome of trying to give a failed call back to every quota of a token. */
export type ReleaseResult =
  | { ok: true }
  /** The quota under `key` has given back `limit` calls already: this call stays counted. */
  | { ok: false; key: string; limit: number };

/**
 * Call counters for `<service>_max_calls` caveats. `consume` must be atomic:
 * check every quota, and only if all have room, count the call against all
 * of them, with no other consume of the same keys in between. `release`
 * likewise: only if every quota has given back fewer calls than its bound
 * (the quota's own limit, or `maxGivenBack` when lower: a quota never gets
 * back more calls than it holds, so a token of N calls runs at most 2N
 * times whatever `maxGivenBack` says) does it take the
 * call off all of them and count one more given back on each. A remote store
 * (Redis, SQL) would do each in one transaction or script, and keep a key's
 * given-back count as long as its call count. `forget` drops every counter of
 * a token that can never be presented again (a canceled pay-on-success hold:
 * its preimage is never revealed); a remote store deletes the token's keys
 * (all `<tokenId>:…`, given-back counts too), and must, since a token without
 * a lifetime is otherwise kept for ever.
 */
export interface QuotaStore {
  consume(token: QuotaSubject, nowMs: number): QuotaResult | Promise<QuotaResult>;
  /** Gives one call back to each quota (the handler failed), unless a quota has given back its bound already. */
  release(token: QuotaSubject, maxGivenBack: number | undefined): ReleaseResult | Promise<ReleaseResult>;
  /** Calls counted so far under `key`. */
  used(key: string): number | Promise<number>;
  /** Drops every counter of token `tokenId`: it can never be presented again. */
  forget(tokenId: string): void | Promise<void>;
}

/** Where a token's top-level counters hang: the counters of quotas that have no quota before them. */
const TOKEN = '';

interface TokenCounters {
  /** When no copy of the token can be valid any more (Infinity without a lifetime): its counters go then. */
  untilMs: number;
  /** Calls counted under each quota key. */
  used: Map<string, number>;
  /** Calls given back under each quota key (a 5xx); kept as long as the counter. */
  givenBack: Map<string, number>;
  /** How many counters hang right under each key (`TOKEN` for the top-level ones). */
  children: Map<string, number>;
}

/** Limits of a `MemoryQuotaStore`. */
export interface QuotaStoreLimits {
  /** Most counters right under one key (the copy whose quota is the one before theirs), or at the top of a token. */
  maxCountersPerCopy?: number;
  /** Most counters of one token in all (memory: a token with no call limit of its own is bounded by this alone). */
  maxCountersPerToken?: number;
}

/**
 * The default store: counters in this process, grouped by token. A quota's
 * counter hangs under the counter of the quota before it in the chain (the
 * copy it was attenuated from), or at the top of its token; the first call
 * of a chain adds its missing counters there. Bounded two ways: at most
 * `maxCountersPerCopy` counters right under one counter, so the holder of
 * one copy adds counters only under its own (its siblings each still get
 * theirs), and at most `maxCountersPerToken` per token. A token's counters
 * are dropped once `validUntilMs` (the paywall's longest token lifetime
 * after the token's first call) has passed, or when `forget` says the token
 * is dead; a counter whose calls were all given back stays until then, with
 * its count of calls given back.
 * `consume` and `release` are synchronous, so check-all-then-count-all is
 * atomic without a lock (JS runs one callback at a time).
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #tokens = new Map<string, TokenCounters>();
  readonly #perCopy: number;
  readonly #perToken: number;
  #sinceSweep = 0;

  constructor({ maxCountersPerCopy = 64, maxCountersPerToken = 1024 }: QuotaStoreLimits = {}) {
    this.#perCopy = maxCountersPerCopy;
    this.#perToken = maxCountersPerToken;
  }

  consume(token: QuotaSubject, nowMs: number): QuotaResult {
    this.#maybeSweep(nowMs);
    if (token.quotas.length === 0) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const entry = this.#tokens.get(token.tokenId);
    let remaining = Number.POSITIVE_INFINITY;
    for (const q of token.quotas) {
      const used = entry?.used.get(q.key) ?? 0;
      if (used >= q.limit) return { ok: false, reason: 'exhausted', key: q.key, limit: q.limit, used };
      remaining = Math.min(remaining, q.limit - used - 1);
    }
    const over = this.#overBudget(entry, token.quotas);
    if (over) return over;
    const e = entry ?? {
      untilMs: token.validUntilMs ?? Number.POSITIVE_INFINITY,
      used: new Map(),
      givenBack: new Map(),
      children: new Map(),
    };
    if (!entry) this.#tokens.set(token.tokenId, e);
    token.quotas.forEach((q, i) => count(e, q.key, parentOf(token.quotas, i)));
    return { ok: true, remaining };
  }

  release(token: QuotaSubject, maxGivenBack: number | undefined): ReleaseResult {
    const e = this.#tokens.get(token.tokenId);
    if (!e) return { ok: true };
    for (const q of token.quotas) {
      const limit = Math.min(maxGivenBack ?? q.limit, q.limit);
      if ((e.givenBack.get(q.key) ?? 0) >= limit) return { ok: false, key: q.key, limit };
    }
    // A counter back at 0 stays: its given-back count must outlive it, or the bound would reset.
    for (const q of token.quotas) {
      const used = e.used.get(q.key);
      if (used) e.used.set(q.key, used - 1);
      e.givenBack.set(q.key, (e.givenBack.get(q.key) ?? 0) + 1);
    }
    return { ok: true };
  }

  used(key: string): number {
    // Keys are `<tokenId>:<signature>` (see infra/l402's Quota).
    return this.#tokens.get(key.split(':')[0]!)?.used.get(key) ?? 0;
  }

  forget(tokenId: string): void {
    this.#tokens.delete(tokenId);
  }

  /** Number of counters held (for tests and capacity planning). */
  get size(): number {
    let n = 0;
    for (const e of this.#tokens.values()) n += e.used.size;
    return n;
  }

  /** The refusal when the counters this call would add exceed a copy's or the token's budget. */
  #overBudget(entry: TokenCounters | undefined, quotas: QuotaSubject['quotas']): QuotaResult | undefined {
    let added = 0;
    for (const [parent, n] of newCounters(entry, quotas)) {
      added += n;
      if ((entry?.children.get(parent) ?? 0) + n > this.#perCopy)
        return { ok: false, reason: 'too_many_counters', scope: 'copy', limit: this.#perCopy };
    }
    if ((entry?.used.size ?? 0) + added > this.#perToken)
      return { ok: false, reason: 'too_many_counters', scope: 'token', limit: this.#perToken };
    return undefined;
  }

  // A full pass once per as many calls as there are tokens: amortized O(1) per call.
  #maybeSweep(nowMs: number): void {
    if (++this.#sinceSweep < Math.max(1024, this.#tokens.size)) return;
    this.#sinceSweep = 0;
    for (const [id, e] of this.#tokens) if (e.untilMs <= nowMs) this.#tokens.delete(id);
  }
}

/** The key a quota's counter hangs under: the quota before it in the chain, or the token. */
function parentOf(quotas: QuotaSubject['quotas'], i: number): string {
  return i === 0 ? TOKEN : quotas[i - 1]!.key;
}

/** The counters a call would add, counted by the key each would hang under. */
function newCounters(entry: TokenCounters | undefined, quotas: QuotaSubject['quotas']): Map<string, number> {
  const added = new Map<string, number>();
  quotas.forEach((q, i) => {
    if (entry?.used.has(q.key)) return;
    const parent = parentOf(quotas, i);
    added.set(parent, (added.get(parent) ?? 0) + 1);
  });
  return added;
}

/** Counts one call under `key`, hanging a new counter under `parent`. */
function count(e: TokenCounters, key: string, parent: string): void {
  const used = e.used.get(key);
  if (used === undefined) e.children.set(parent, (e.children.get(parent) ?? 0) + 1);
  e.used.set(key, (used ?? 0) + 1);
}
