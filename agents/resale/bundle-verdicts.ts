import type { UpstreamBreaker } from './upstream-breaker.js';

/** One bundle's slices as their buyers judged them. */
interface Tally {
  paid: number;
  refused: number;
  /** Refusals since the bundle's last slice paid (all of them while none was). */
  refusedInARow: number;
  /** Refusals in a row that make the bundle suspect: `deadAfterRefusals`, or fewer when it holds fewer slices. */
  deadAt: number;
}

/** Slices whose verdict is awaited, at most: the oldest are forgotten (a hold never answered sends none). */
const MAX_AWAITED = 1_024;

/**
 * Feeds slice buyers' verdicts to the upstream breaker and the slicer. A
 * slice paid closes the breaker. A bundle whose slices were refused `deadAt`
 * times in a row is `suspect`: its calls may be used up at the origin however
 * many its count says are left (an oversold bundle, a counter the origin
 * refuses), but a cancel is its buyer's word alone, free and unverifiable, so
 * the slicer asks the origin before retiring it (`probeBundle`) and, when the
 * origin still serves it, `cleared` starts the count again. When none of its
 * slices was paid, those refusals (then each refusal after) also count as an
 * upstream failure, so a reseller stops buying bundles an origin takes
 * payment for and then fails.
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
      this.#current = { bundleHash, tally: { paid: 0, refused: 0, refusedInARow: 0, deadAt } };
    }
    this.#awaited.set(sliceHash, this.#current.tally);
    if (this.#awaited.size > MAX_AWAITED) this.#awaited.delete(this.#awaited.keys().next().value!);
  }

  /** Whether bundle `bundleHash` is the current one and its slices were refused `deadAt` times in a row. */
  suspect(bundleHash: string): boolean {
    const c = this.#current;
    return c?.bundleHash === bundleHash && c.tally.refusedInARow >= c.tally.deadAt;
  }

  /** The origin still serves bundle `bundleHash`: its refusals in a row count from 0 again. */
  cleared(bundleHash: string): void {
    if (this.#current?.bundleHash === bundleHash) this.#current.tally.refusedInARow = 0;
  }

  /** The slice's buyer paid (its hold settled): the upstream works. */
  paid(sliceHash: string): void {
    const tally = this.#awaited.get(sliceHash);
    this.#awaited.delete(sliceHash);
    if (tally) {
      tally.paid++;
      tally.refusedInARow = 0;
    }
    this.breaker.succeeded();
  }

  /** The slice's buyer canceled after its check at the origin. */
  refused(sliceHash: string): void {
    const tally = this.#awaited.get(sliceHash);
    this.#awaited.delete(sliceHash);
    if (!tally) return;
    tally.refused++;
    tally.refusedInARow++;
    if (tally.paid === 0 && tally.refused >= tally.deadAt) this.breaker.failed();
  }
}
