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

/**
 * The longest delay one `setTimeout` waits (2^31 - 1 ms, about 24.8 days):
 * Node fires a longer one at once, after a warning.
 */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Calls `fire` once `ms` of wall time have passed, however long that is: a
 * delay beyond `MAX_TIMEOUT_MS` waits in steps of it, re-armed against the
 * due time (`Infinity`: never). Returns the function that cancels it.
 */
function wallTimer(ms: number, fire: () => void): () => void {
  const due = Date.now() + (ms > 0 ? ms : 0);
  let t: ReturnType<typeof setTimeout>;
  const arm = (): void => {
    const left = due - Date.now();
    t = left > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(fire, Math.max(0, left));
  };
  arm();
  return () => clearTimeout(t);
}

/** The wall clock, for the real world (regtest, standalone servers). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return;
      const cancel = wallTimer(ms, () => resolve());
      signal?.addEventListener('abort', cancel, { once: true });
    }),
  setTimer: wallTimer,
};
