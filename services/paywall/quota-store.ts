import type { TokenFacts } from '../../infra/l402/index.js';
import {
  countOn,
  deepestCounted,
  DirectWriter,
  RecordingWriter,
  wholeChange,
  type CounterWriter,
  type QuotaChange,
  type QuotaUndo,
  type TokenCounters,
} from './quota-change.js';

/**
 * What a quota store counts for: the token, how long its counters must be
 * kept (`validUntilMs`: until no copy of the token can be valid any more, as
 * the paywall computes it from what it mints), its `<service>_max_calls`
 * quotas, and `callsSold`: the calls of the quota the seller minted (its
 * tier's `maxCalls`), absent for a token minted without one (a time pass).
 */
export type QuotaSubject = Pick<TokenFacts, 'tokenId' | 'validUntilMs' | 'quotas'> & { callsSold?: number };

/** The outcome of trying to count one call against the quotas of a token. */
export type QuotaResult =
  | {
      ok: true;
      /** Calls left to the copy presented: its own quota's (Infinity when the token has none). */ remaining: number;
    }
  /**
   * The quota under `key` has `limit - used` calls left: none for the call, or fewer than the
   * `reserving` calls a copy attenuated from it takes on its first call.
   */
  | { ok: false; reason: 'exhausted'; key: string; limit: number; used: number; reserving?: number }
  /** Counting the call would make the token keep more than `limit` counters. */
  | { ok: false; reason: 'too_many_counters'; limit: number };

/** The outcome of trying to give a failed call back to every quota of a token. */
export type ReleaseResult =
  | { ok: true }
  /** The quota under `key` has given back `limit` calls already: this call stays counted. */
  | { ok: false; key: string; limit: number };

/**
 * Call counters for `<service>_max_calls` caveats. A quota's counter hangs
 * under the counter of the quota before it in the chain (the copy it was
 * attenuated from). A copy's calls are its own from its first call: that call
 * takes the copy's whole limit from the counter it hangs under (a
 * reservation), then its calls count on its own counter alone. So the copies
 * of a bundle together never hold more calls than it: a copy that does not
 * fit is refused at its first call, whatever its siblings have used yet.
 * Reserved calls stay taken when the copy expires unused (the calls were
 * handed down with it; a store cannot tell when a copy expires, a later copy
 * of it may have written an earlier `valid_until` than its own).
 * `consume` must be atomic: check, and only if there is room, count the call
 * (and reservations), with no other consume of the same token in between.
 * `release` likewise: only if every quota has given back fewer calls than its
 * bound (the quota's own limit, or `maxGivenBack` when lower) does it take the
 * call off the counter it was counted on and count one more given back on
 * every quota, so a token of N calls runs at most 2N times whatever its copies
 * do. A remote store (Redis, SQL) would do each in one transaction or script,
 * and keep a key's given-back count as long as its call count. `forget` drops
 * every counter of a token that can never be presented again (a canceled
 * pay-on-success hold: its preimage is never revealed); a remote store deletes
 * the token's keys (all `<tokenId>:…`, given-back counts too), and must, since
 * a token without a lifetime is otherwise kept for ever.
 */
export interface QuotaStore {
  consume(token: QuotaSubject, nowMs: number): QuotaResult | Promise<QuotaResult>;
  /**
   * Gives the call back (the handler failed), unless a quota has given back its bound already. With
   * `notRun` the handler never ran (refused for capacity): the call goes back whatever the bound, and
   * no quota counts one more given back.
   */
  release(
    token: QuotaSubject,
    maxGivenBack: number | undefined,
    notRun?: boolean,
  ): ReleaseResult | Promise<ReleaseResult>;
  /** Calls counted so far under `key`: its own and those its copies reserved. */
  used(key: string): number | Promise<number>;
  /** Drops every counter of token `tokenId`: it can never be presented again. */
  forget(tokenId: string): void | Promise<void>;
}

/** Counters a token keeps at least, by default: a time pass (no calls sold) keeps no more. */
export const DEFAULT_MAX_COUNTERS_PER_TOKEN = 1024;

/** Limits of a `MemoryQuotaStore`. */
export interface QuotaStoreLimits {
  /**
   * Most counters of one token, or twice its `callsSold` when more (a copy takes at least one call
   * of the counter it hangs under, so a token of N calls never needs more than 2N - 1).
   */
  maxCountersPerToken?: number;
}

/** Options of a `MemoryQuotaStore`. */
export interface MemoryQuotaStoreOptions extends QuotaStoreLimits {
  /**
   * Told each change the store makes (quota-change.ts), before it is made, with what undoes it
   * (`undo`): a throw leaves it unmade and is the caller's. Without one, the store builds no
   * change (the simulator's hot path).
   */
  onChange?: (change: QuotaChange, undo: QuotaUndo) => void;
}

/**
 * The default store: counters in this process, grouped by token (see
 * `QuotaStore` for how copies reserve their calls). Under a counter with a
 * limit, copies are bounded by its calls (each takes at least one); in all,
 * a token keeps at most `maxCountersPerToken` counters, or 2 x `callsSold`
 * when more, which bounds the copies of a time pass (they take calls from no
 * counter). A token's counters are dropped once `validUntilMs` (the
 * paywall's longest token lifetime after the token's first call) has passed,
 * or when `forget` says the token is dead; a counter whose calls were all
 * given back stays until then, with its count of calls given back.
 * `consume` and `release` are synchronous, so check-all-then-count-all is
 * atomic without a lock (JS runs one callback at a time).
 */
export class MemoryQuotaStore implements QuotaStore {
  readonly #tokens = new Map<string, TokenCounters>();
  readonly #perToken: number;
  /** Makes every change; `#writer` is it, or records each change for `onChange` first. */
  readonly #direct = new DirectWriter(this.#tokens);
  readonly #writer: CounterWriter;
  #sinceSweep = 0;

  constructor({
    maxCountersPerToken = DEFAULT_MAX_COUNTERS_PER_TOKEN,
    onChange,
  }: MemoryQuotaStoreOptions = {}) {
    this.#perToken = maxCountersPerToken;
    this.#writer = onChange ? new RecordingWriter(this.#direct, onChange) : this.#direct;
  }

  consume(token: QuotaSubject, nowMs: number): QuotaResult {
    this.#maybeSweep(nowMs);
    const { quotas } = token;
    if (quotas.length === 0) return { ok: true, remaining: Number.POSITIVE_INFINITY };
    const entry = this.#tokens.get(token.tokenId);
    const at = deepestCounted(entry, quotas);
    return at === quotas.length - 1
      ? countOn(this.#writer, token, entry!, quotas[at]!)
      : this.#open(token, entry, at);
  }

  /**
   * The chain's first call below counter `at` (-1: none, the top of the token): the copy after
   * it takes its whole limit from that counter, each new counter its next one's, the last one call.
   */
  #open(token: QuotaSubject, entry: TokenCounters | undefined, at: number): QuotaResult {
    const { quotas } = token;
    const last = quotas.length - 1;
    const parent = at >= 0 ? quotas[at]! : undefined;
    const reserving = quotas[at + 1]!.limit;
    const used = parent ? entry!.used.get(parent.key)! : 0;
    if (parent && used + reserving > parent.limit)
      return { ok: false, reason: 'exhausted', key: parent.key, limit: parent.limit, used, reserving };
    const limit = Math.max(this.#perToken, 2 * (token.callsSold ?? 0));
    if ((entry?.used.size ?? 0) + last - at > limit) return { ok: false, reason: 'too_many_counters', limit };
    const w = this.#writer;
    w.start(token.tokenId, entry, token.validUntilMs);
    if (parent) w.used(parent.key, used + reserving);
    for (let i = at + 1; i < last; i++) w.used(quotas[i]!.key, quotas[i + 1]!.limit);
    w.used(quotas[last]!.key, 1);
    w.end();
    return { ok: true, remaining: quotas[last]!.limit - 1 };
  }

  release(token: QuotaSubject, maxGivenBack: number | undefined, notRun = false): ReleaseResult {
    const e = this.#tokens.get(token.tokenId);
    if (!e) return { ok: true };
    for (const q of notRun ? [] : token.quotas) {
      const limit = Math.min(maxGivenBack ?? q.limit, q.limit);
      if ((e.givenBack.get(q.key) ?? 0) >= limit) return { ok: false, key: q.key, limit };
    }
    // The call was counted on the copy's own counter, the chain's last; one back at 0 stays,
    // as its reservations do: its given-back count must outlive it, or the bound would reset.
    const w = this.#writer;
    w.start(token.tokenId, e);
    const own = token.quotas.at(-1);
    const used = own && e.used.get(own.key);
    if (own && used) w.used(own.key, used - 1);
    if (!notRun) for (const q of token.quotas) w.givenBack(q.key, (e.givenBack.get(q.key) ?? 0) + 1);
    w.end();
    return { ok: true };
  }

  used(key: string): number {
    // Keys are `<tokenId>:<signature>` (see infra/l402's Quota).
    return this.#tokens.get(key.split(':')[0]!)?.used.get(key) ?? 0;
  }

  forget(tokenId: string): void {
    if (this.#tokens.has(tokenId)) this.#writer.drop(tokenId);
  }

  /** Number of counters held (for tests and capacity planning). */
  get size(): number {
    let n = 0;
    for (const e of this.#tokens.values()) n += e.used.size;
    return n;
  }

  /** Makes `change` without telling `onChange`: a durable store replaying what it wrote down. */
  apply(change: QuotaChange): void {
    this.#direct.apply(change);
  }

  /** Undoes a change `onChange` was told of (its `undo`), the token's later ones undone first. */
  undo(u: QuotaUndo): void {
    this.#direct.undo(u);
  }

  /** Every kept token's counters as one change each, making them afresh: replayed, they are these. */
  *snapshot(): Iterable<QuotaChange> {
    for (const [id, e] of this.#tokens) yield wholeChange(id, e);
  }

  /** Drops the counters of every token whose `validUntilMs` is `nowMs` or before (they expired: no change). */
  sweep(nowMs: number): void {
    for (const [id, e] of this.#tokens) if (e.untilMs <= nowMs) this.#tokens.delete(id);
  }

  // A full pass once per as many calls as there are tokens: amortized O(1) per call.
  #maybeSweep(nowMs: number): void {
    if (++this.#sinceSweep < Math.max(1024, this.#tokens.size)) return;
    this.#sinceSweep = 0;
    this.sweep(nowMs);
  }
}
