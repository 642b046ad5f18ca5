import type { Clock } from '../../infra/time/clock.js';

/**
 * How many slices a reseller lets out unpaid. A slice sold with buyer release
 * is delivered on credit: its buyer tries it at the origin, then settles or
 * cancels, and a slice canceled (or never answered, canceled at its invoice's
 * expiry) stays with its buyer, macaroon and preimage, so whatever calls it
 * has left are the buyer's for nothing and the reseller buys bundles sooner.
 * Payer keys cost nothing to make, so the bound is the reseller's own, not a
 * buyer's: at most `slices` slices delivered and not paid within `windowSec`.
 */
export interface CreditLimit {
  slices: number;
  windowSec: number;
}

/** At most 20 slices out unpaid per 10 minutes (a failing origin or a buyer that cancels every slice). */
export const DEFAULT_CREDIT_LIMIT: CreditLimit = { slices: 20, windowSec: 600 };

/** Retry-After while only slices still being claimed fill the limit: each ends (delivered or refunded) within a request. */
const IN_FLIGHT_RETRY_MS = 1_000;

/**
 * The slices delivered and not yet paid, within the window, plus the paid
 * retries still claiming theirs. A retry reserves its credit in one step with
 * the check (`reserve`), before it waits for a slice, so retries that arrive
 * together cannot all pass a check none of them has counted yet. Deliveries
 * come in clock order, so the map (insertion order) keeps the oldest first.
 */
export class SliceCredit {
  readonly #unpaid = new Map<string, number>();
  readonly #reserved = new Set<string>();

  constructor(
    readonly limit: CreditLimit,
    readonly clock: Clock,
  ) {
    if (!Number.isSafeInteger(limit.slices) || limit.slices < 1)
      throw new RangeError(`credit limit slices must be a positive integer, got ${limit.slices}`);
    if (!Number.isSafeInteger(limit.windowSec) || limit.windowSec < 1)
      throw new RangeError(`credit limit windowSec must be a positive integer, got ${limit.windowSec}`);
  }

  /** Takes credit for the slice of hold invoice `paymentHash`; false (nothing taken) while the limit is reached. */
  reserve(paymentHash: string): boolean {
    if (this.waitMs() > 0) return false;
    this.#reserved.add(paymentHash);
    return true;
  }

  /** The reserved slice did not go out (the buyer is refunded): its credit is free again. */
  release(paymentHash: string): void {
    this.#reserved.delete(paymentHash);
  }

  /** The reserved slice went out on the hold invoice `paymentHash`: unpaid from now. */
  delivered(paymentHash: string): void {
    this.#reserved.delete(paymentHash);
    this.#unpaid.set(paymentHash, this.clock.now());
  }

  /** The slice of `paymentHash` was paid (its hold settled): it no longer counts. */
  paid(paymentHash: string): void {
    this.#unpaid.delete(paymentHash);
  }

  /** Milliseconds until another slice may go out on credit; 0 when one may now. */
  waitMs(): number {
    const now = this.clock.now();
    const windowMs = this.limit.windowSec * 1000;
    for (const [hash, at] of this.#unpaid) {
      if (at + windowMs > now) break;
      this.#unpaid.delete(hash);
    }
    if (this.#unpaid.size + this.#reserved.size < this.limit.slices) return 0;
    const oldest = this.#unpaid.values().next().value;
    const aged = oldest === undefined ? Infinity : oldest + windowMs - now;
    return this.#reserved.size > 0 ? Math.min(aged, IN_FLIGHT_RETRY_MS) : aged;
  }
}
