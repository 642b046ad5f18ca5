import type { Clock } from '../../infra/time/clock.js';

/**
 * When a reseller stops dealing with its upstream. Each upstream failure (a
 * purchase that failed or passed `upstreamTimeoutSec`, a bundle bought that
 * holds no slice, or a bundle whose first `deadAfterRefusals` slices were all
 * refused by their buyers) opens the breaker for a back-off: `firstSec`, then
 * twice as long after each failure in a row, at most `maxSec`. A slice paid
 * closes it for good and starts the back-off over.
 */
export interface UpstreamBackoff {
  firstSec: number;
  maxSec: number;
  deadAfterRefusals: number;
}

/** 60 s, doubling up to an hour; a bundle is dead once its first 3 slices were all refused. */
export const DEFAULT_UPSTREAM_BACKOFF: UpstreamBackoff = {
  firstSec: 60,
  maxSec: 3_600,
  deadAfterRefusals: 3,
};

/** A circuit breaker on the upstream: open (no slice sold, no bundle bought) for a back-off after each failure. */
export class UpstreamBreaker {
  /** Failures in a row since the last slice paid. */
  #failures = 0;
  #openUntilMs = 0;

  constructor(
    readonly backoff: UpstreamBackoff,
    readonly clock: Clock,
  ) {}

  /** Milliseconds until the upstream may be dealt with again; 0 while the breaker is closed. */
  waitMs(): number {
    return Math.max(0, this.#openUntilMs - this.clock.now());
  }

  /** The upstream failed: open for the next back-off (a failure reported while open changes nothing). */
  failed(): void {
    if (this.waitMs() > 0) return;
    const { firstSec, maxSec } = this.backoff;
    const sec = Math.min(maxSec, firstSec * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    this.#openUntilMs = this.clock.now() + sec * 1000;
  }

  /** A slice was paid: the upstream works. */
  succeeded(): void {
    this.#failures = 0;
    this.#openUntilMs = 0;
  }
}
