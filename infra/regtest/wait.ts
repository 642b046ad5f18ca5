import type { Clock } from '../time/clock.js';
import { LabError, isLabError } from '../errors.js';
import { sleepUnlessAborted, throwIfAborted } from './abort.js';

/**
 * Polls `ready` every 250 ms until it says yes, or throws after `timeoutMs`;
 * once `signal` fires it rejects at once with LabError('aborted').
 */
export async function waitFor(
  clock: Clock,
  timeoutMs: number,
  what: string,
  ready: () => Promise<boolean>,
  signal?: AbortSignal,
): Promise<void> {
  const until = clock.now() + timeoutMs;
  const doing = `waiting for ${what}`;
  let last: unknown;
  for (;;) {
    throwIfAborted(signal, doing);
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
    await sleepUnlessAborted(clock, 250, signal, doing);
  }
}

/**
 * Runs `fn` up to `tries` times, sleeping 500 ms more after each failure (at
 * most 3 s); once `signal` fires it tries no more and rejects with LabError('aborted').
 */
export async function retry<T>(
  clock: Clock,
  tries: number,
  what: string,
  fn: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let i = 1; ; i++) {
    throwIfAborted(signal, what);
    try {
      return await fn();
    } catch (err) {
      if (isLabError(err, 'aborted')) throw err;
      if (i >= tries)
        throw new LabError('bootstrap_failed', `${what} failed ${tries} times: ${String(err)}`, {
          cause: err,
        });
      await sleepUnlessAborted(clock, Math.min(500 * i, 3000), signal, what);
    }
  }
}
