/** Why `withDeadline` gave up: the work did not answer in time (and was told to stop). */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/**
 * `work(signal)`'s answer, or a `DeadlineError` after `ms` of wall time, at
 * which point `signal` aborts so the work stops too (a model call given the
 * signal cancels its request). An answer that is not a promise (a rule) is
 * returned as it is, with no timer and no extra microtask turn. Wall time,
 * not a `Clock`: it bounds real I/O (a model over a socket), which virtual
 * time cannot wait for.
 *
 * @example
 * const move = await withDeadline((signal) => negotiator.next(turn, signal), 30_000, 'the negotiator');
 */
export function withDeadline<T>(
  work: (signal: AbortSignal) => T | Promise<T>,
  ms: number,
  what: string,
): T | Promise<T> {
  const abort = new AbortController();
  const pending = work(abort.signal);
  if (!(pending instanceof Promise)) return pending;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new DeadlineError(`${what} gave no answer within ${ms} ms`));
    }, ms);
  });
  pending.catch(() => {}); // its rejection after the deadline (the abort) is expected
  return Promise.race([pending, late]).finally(() => clearTimeout(timer));
}
