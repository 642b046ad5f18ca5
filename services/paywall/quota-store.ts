import type { Quota } from '../../infra/l402/index.js';

/** The outcome of trying to count one call against every quota of a token. */
export type QuotaResult =
  | {
      ok: true;
      /** Calls left under the tightest quota (Infinity when the token has none). */ remaining: number;
    }
  | { ok: false; key: string; limit: number; used: number };

/**
 * Call counters for `<service>_max_calls` caveats. `consume` must be atomic:
 * check every quota, and only if all have room, count the call against all
 * of them, with no other consume of the same keys in between. A remote store
 * (Redis, SQL) would do it in one transaction or script.
 */
export interface QuotaStore {
  consume(quotas: readonly Quota[]): QuotaResult | Promise<QuotaResult>;
  /** Gives one call back to each quota (the handler failed and the call should not count). */
  release(quotas: readonly Quota[]): void | Promise<void>;
  /** Calls counted so far under `key`. */
  used(key: string): number | Promise<number>;
}

/**
 * The default store: a Map in this process. `consume` is synchronous, so it
 * cannot interleave with another request (JS runs one callback at a time),
 * which makes check-all-then-increment-all atomic without a lock.
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #used = new Map<string, number>();

  consume(quotas: readonly Quota[]): QuotaResult {
    let remaining = Number.POSITIVE_INFINITY;
    for (const q of quotas) {
      const used = this.#used.get(q.key) ?? 0;
      if (used >= q.limit) return { ok: false, key: q.key, limit: q.limit, used };
      remaining = Math.min(remaining, q.limit - used - 1);
    }
    for (const q of quotas) this.#used.set(q.key, (this.#used.get(q.key) ?? 0) + 1);
    return { ok: true, remaining };
  }

  release(quotas: readonly Quota[]): void {
    for (const q of quotas) {
      const used = this.#used.get(q.key) ?? 0;
      if (used <= 1) this.#used.delete(q.key);
      else this.#used.set(q.key, used - 1);
    }
  }

  used(key: string): number {
    return this.#used.get(key) ?? 0;
  }

  /** Number of counters held (for tests and capacity planning). */
  get size(): number {
    return this.#used.size;
  }
}
