import type { Clock } from '../../time/clock.js';
import type { Logger } from '../../log.js';

/** Most ms `LndNode.close()` waits for requests still running to end before it returns. */
export const CLOSE_WAIT_MS = 5_000;

/**
 * Closes `rest`'s connections, waiting at most `ms` on `clock` for the
 * requests still running (a call close() does not end: an invoice being
 * added, a balance read) to finish; past that it returns, saying so in the
 * log, and they end by their own time limits.
 */
export async function closeWithin(
  rest: { close(): Promise<void>; readonly restUrl: string },
  clock: Clock,
  log: Logger,
  ms = CLOSE_WAIT_MS,
): Promise<void> {
  let cancel = (): void => undefined;
  const late = new Promise<'late'>((resolve) => (cancel = clock.setTimer(ms, () => resolve('late'))));
  const closed = rest.close().then(() => 'closed' as const);
  try {
    if ((await Promise.race([closed, late])) === 'late') {
      closed.catch(() => undefined);
      log.warn(
        { restUrl: rest.restUrl, waitedMs: ms },
        'LND requests still running after close(); they end by their own time limits',
      );
    }
  } finally {
    cancel();
  }
}
