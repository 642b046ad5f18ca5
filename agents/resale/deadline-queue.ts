import type { Clock } from '../../infra/time/clock.js';

/** What a queued call answers when its caller gave up waiting. */
export const LATE: unique symbol = Symbol('late');

/** `work` with `gaveUp()`: true once its caller stopped waiting (it should then change nothing). */
export type QueuedWork<T> = (gaveUp: () => boolean) => Promise<T>;

/**
 * Runs works one at a time, each caller waiting at most `ms` of `clock` time
 * from its call, queue included: past that it gets LATE, while its work (if
 * started) runs on and can see with `gaveUp()` that nobody waits for it.
 *
 * @example
 * const queue = deadlineQueue(clock, 10_000);
 * const r = await queue(async (gaveUp) => (gaveUp() ? undefined : cut()));
 */
export function deadlineQueue(
  clock: Clock,
  ms: number,
): <T>(work: QueuedWork<T>) => Promise<T | typeof LATE> {
  let lock: Promise<unknown> = Promise.resolve();
  return async <T>(work: QueuedWork<T>): Promise<T | typeof LATE> => {
    const done = new AbortController();
    const gaveUp = () => done.signal.aborted;
    const run = lock.then(() => work(gaveUp));
    lock = run.catch(() => undefined);
    const late = clock.sleep(ms, done.signal).then((): typeof LATE => LATE);
    try {
      return await Promise.race([run, late]);
    } finally {
      done.abort();
    }
  };
}
