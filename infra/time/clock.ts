/**
 * Time as the rest of the code sees it. Below the entry points nothing reads
 * `Date.now()` or calls `setTimeout` directly: a `Clock` is passed in, so the
 * simulator can run the same code on virtual time.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch (virtual or real). */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** The wall clock, for the real world (regtest, standalone servers). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
