import type { UpstreamBreaker } from './upstream-breaker.js';

/** One bundle's slices as their buyers judged them. */
interface Tally {
  paid: number;
  refused: number;
  /** Refusals with none paid that make the bundle dead: `deadAfterRefusals`, or fewer when it holds fewer slices. */
  deadAt: number;
}

/** Slices whose verdict is awaited, at most: the oldest are forgotten (a hold never answered sends none). */
const MAX_AWAITED = 1_024;

/**
 * Feeds slice buyers' verdicts to the upstream breaker: a slice paid closes
 * it, and a bundle whose slices were refused `deadAt` times with none paid
 * (then each refusal after) counts as an upstream failure, so a reseller stops
 * buying bundles an origin takes payment for and then fails.
 */
export class BundleVerdicts {
  /** Slice hold invoice → its bundle's tally. */
  readonly #awaited = new Map<string, Tally>();
  /** The bundle slices are cut from now; slices of an older one keep their own tally. */
  #current: { bundleHash: string; tally: Tally } | undefined;

  constructor(readonly breaker: UpstreamBreaker) {}

  /** The slice sold on hold invoice `sliceHash` came from `bundleHash`, which had `slicesLeft` more after it. */
  delivered(sliceHash: string, bundleHash: string, slicesLeft: number): void {
    if (this.#current?.bundleHash !== bundleHash) {
      const deadAt = Math.min(this.breaker.backoff.deadAfterRefusals, slicesLeft + 1);
      this.#current = { bundleHash, tally: { paid: 0, refused: 0, deadAt } };
    }
    this.#awaited.set(sliceHash, this.#current.tally);
    if (this.#awaited.size > MAX_AWAITED) this.#awaited.delete(this.#awaited.keys().next().value!);
  }

  /** The slice's buyer paid (its hold settled): the upstream works. */
  paid(sliceHash: string): void {
    const tally = this.#awaited.get(sliceHash);
    this.#awaited.delete(sliceHash);
    if (tally) tally.paid++;
    this.breaker.succeeded();
  }

  /** The slice's buyer canceled after its check at the origin. */
  refused(sliceHash: string): void {
    const tally = this.#awaited.get(sliceHash);
    this.#awaited.delete(sliceHash);
    if (!tally) return;
    tally.refused++;
    if (tally.paid === 0 && tally.refused >= tally.deadAt) this.breaker.failed();
  }
}
