/**
 * Time as the rest of the code sees it. Below the entry points nothing reads
 * `Date.now()` or calls `setTimeout` directly: a `Clock` is passed in, so the
 * simulator can run the same code on virtual time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (virtual or real). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time. Once `signal`
   * aborts, the sleep never resolves and holds no timer (a cancelled
   * deadline leaves nothing behind on a virtual clock).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fire` after `ms` milliseconds of this clock's time, as `setTimeout`
   * does on the wall clock, unless the returned function cancels it first; a
   * cancelled timer holds nothing. The cheap time limit for a hot path (a
   * request's timeout): no promise, no `AbortSignal`. `fire` must not throw.
   */
  setTimer(ms: number, fire: () => void): () => void;
}

/** The wall clock, for the real world (regtest, standalone servers). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return;
      const t = setTimeout(resolve, Math.max(0, ms));
      signal?.addEventListener('abort', () => clearTimeout(t), { once: true });
    }),
  setTimer: (ms: number, fire: () => void) => {
    const t = setTimeout(fire, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};
