import type { Clock } from '../../infra/time/clock.js';

/** `calls` per `perMs` milliseconds, with bursts of up to `calls`. */
export interface RateLimit {
  calls: number;
  perMs: number;
}

/**
 * Why `r` is no rate limit for `name` (undefined when it is one): `calls` a positive integer and
 * `perMs` a finite number of ms, at least 1 (clocks count whole ms; a smaller window overflows
 * the bucket's rate to Infinity).
 */
export function rateLimitProblem(name: string, r: unknown): string | undefined {
  const { calls, perMs } = (r ?? {}) as Partial<Record<keyof RateLimit, unknown>>;
  const ok =
    Number.isSafeInteger(calls) && (calls as number) >= 1 && Number.isFinite(perMs) && (perMs as number) >= 1;
  return ok
    ? undefined
    : `${name} needs calls, a positive integer, and perMs, a finite number of ms of at least 1 (calls per perMs ms), got calls ${String(calls)}, perMs ${String(perMs)}`;
}

/** Whether a call may go ahead, and if not, how long until it could. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** A refusal's wait as a `Retry-After` value: whole seconds, rounded up, at least 1. */
export function retryAfterSec(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (per L402 token id; one key per paywall for its
 * negotiator's calls and for its pay-on-success refunds), refilled lazily from the
 * injected clock: no timers, so it behaves the same on virtual time.
 */
export class TokenBucketLimiter {
  readonly #capacity: number;
  readonly #perMsRate: number;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, Bucket>();
  #sinceSweep = 0;

  constructor(limit: RateLimit, clock: Clock) {
    const problem = rateLimitProblem('a rate limit', limit);
    if (problem) throw new RangeError(problem);
    this.#capacity = limit.calls;
    this.#perMsRate = limit.calls / limit.perMs;
    this.#clock = clock;
  }

  /** Takes one call from `key`'s bucket if it has one. */
  take(key: string): RateDecision {
    const now = this.#clock.now();
    if (++this.#sinceSweep >= 4096) this.#sweep(now);
    const tokens = this.#level(key, now);
    this.#buckets.set(key, { tokens: tokens >= 1 ? tokens - 1 : tokens, at: now });
    return this.#decision(tokens);
  }

  /**
   * Gives back one call taken from `key`'s bucket (a reservation that was not
   * used up), never filling it past its capacity.
   */
  put(key: string): void {
    const now = this.#clock.now();
    this.#buckets.set(key, { tokens: Math.min(this.#capacity, this.#level(key, now) + 1), at: now });
  }

  /** Whether `key`'s bucket has a call now, taking none. */
  peek(key: string): RateDecision {
    return this.#decision(this.#level(key, this.#clock.now()));
  }

  /** Calls in `key`'s bucket at `now`, refilled since it was last touched. */
  #level(key: string, now: number): number {
    const b = this.#buckets.get(key);
    return b ? Math.min(this.#capacity, b.tokens + (now - b.at) * this.#perMsRate) : this.#capacity;
  }

  #decision(tokens: number): RateDecision {
    return tokens >= 1
      ? { ok: true }
      : { ok: false, retryAfterMs: Math.ceil((1 - tokens) / this.#perMsRate) };
  }

  /** Drops buckets that have refilled completely: they behave exactly like absent ones. */
  #sweep(now: number): void {
    this.#sinceSweep = 0;
    for (const [k, b] of this.#buckets)
      if (b.tokens + (now - b.at) * this.#perMsRate >= this.#capacity) this.#buckets.delete(k);
  }
}
