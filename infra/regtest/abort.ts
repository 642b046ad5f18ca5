/**
 * Stopping a bring-up part way (Ctrl-C during `network:up`). The drivers take
 * an AbortSignal and every wait, poll, retry and daemon start checks it: once
 * it fires nothing new starts, the step under way gives up with
 * LabError('aborted'), and the bring-up's own failure path tears down what
 * had started, once, then throws LabError('interrupted') saying what it
 * stopped.
 */
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { LabError } from '../errors.js';
import { undoFailedUp } from './state.js';

/** `aborted`: a step gave up because the signal fired; `interrupted`: the bring-up did, after its teardown. */
export type AbortErrorCode = 'aborted' | 'interrupted';

function abortedError(what: string): LabError<'aborted'> {
  return new LabError('aborted', `bring-up interrupted (${what})`);
}

/** Throws LabError('aborted') naming `what` was next, once `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortedError(what);
}

/** `clock.sleep(ms)` that rejects with LabError('aborted') as soon as `signal` fires (holding no timer after). */
export function sleepUnlessAborted(
  clock: Clock,
  ms: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<void> {
  if (!signal) return clock.sleep(ms);
  if (signal.aborted) return Promise.reject(abortedError(what));
  return new Promise((resolve, reject) => {
    // The sleep gets a signal of its own: `signal` keeps no listener once the sleep is over.
    const stop = new AbortController();
    const onAbort = (): void => {
      stop.abort();
      reject(abortedError(what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void clock.sleep(ms, stop.signal).then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/**
 * The end of a failed bring-up: logs why (`doing` says what the teardown
 * does), runs the driver's teardown once (`undo`, which says what it
 * stopped) and returns the error to throw: the bring-up's own, or, when
 * `signal` stopped it, LabError('interrupted') saying what the teardown did,
 * or that it failed too (its error is logged).
 */
export async function endFailedUp(
  err: unknown,
  ctx: { log: Logger; stateDir: string; signal: AbortSignal | undefined; doing: string },
  undo: () => Promise<string>,
): Promise<unknown> {
  const interrupted = ctx.signal?.aborted ?? false;
  if (interrupted) ctx.log.warn(`interrupted; ${ctx.doing}`);
  else ctx.log.error({ err: String(err) }, `bring-up failed; ${ctx.doing}`);
  const undone = await undoFailedUp(undo, ctx.log, ctx.stateDir);
  if (!interrupted) return err;
  return new LabError(
    'interrupted',
    undone === undefined
      ? 'interrupted; the teardown failed too (logged above): run `npm run network:down` once the cause is fixed'
      : `interrupted; ${undone}`,
    { cause: err },
  );
}

/** "tore down 2 processes (btcd, hub)", what a native teardown says it stopped. */
export function toreDown(stopped: readonly string[]): string {
  const n = stopped.length;
  return `tore down ${n} process${n === 1 ? '' : 'es'}${n ? ` (${stopped.join(', ')})` : ''}`;
}
