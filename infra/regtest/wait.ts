import type { Clock } from '../time/clock.js';
import { LabError } from '../errors.js';

/** Polls `ready` every 250 ms until it says yes, or throws after `timeoutMs`. */
export async function waitFor(
  clock: Clock,
  timeoutMs: number,
  what: string,
  ready: () => Promise<boolean>,
): Promise<void> {
  const until = clock.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await ready()) return;
    } catch (err) {
      last = err;
    }
    if (clock.now() > until) {
      throw new LabError(
        'bootstrap_failed',
        `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await clock.sleep(250);
  }
}

/** Runs `fn` up to `tries` times, sleeping 500 ms more after each failure (at most 3 s). */
export async function retry<T>(clock: Clock, tries: number, what: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries)
        throw new LabError('bootstrap_failed', `${what} failed ${tries} times: ${String(err)}`, {
          cause: err,
        });
      await clock.sleep(Math.min(500 * i, 3000));
    }
  }
}
