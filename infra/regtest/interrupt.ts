/**
 * Ctrl-C during a command that starts or stops daemons (`network:up`,
 * `network:down`). With a controller (up), the first press aborts it: the
 * bring-up stops at its next step and its own failure path tears down what
 * it started (abort.ts). While that teardown runs (or down's), a further
 * press only says so; the press after that exits at once with 130, leaving
 * whatever still runs recorded for `network:down`.
 */
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log.js';
import { countPresses, type SignalSource } from '../presses.js';

/** Where SIGINT comes from and how to leave at once: `process`, or a test's stand-in. */
export interface InterruptSource extends SignalSource {
  exit(code: number): void;
}

/** The exit code of a command stopped by Ctrl-C (128 + SIGINT). */
export const INTERRUPTED_EXIT = 130;

/** Handles SIGINT from `source` as the file comment says until the returned function is called. */
export function guardInterrupts(
  ctx: { interrupts: InterruptSource; logger: Logger; clock: Clock },
  controller?: AbortController,
): () => void {
  const { interrupts, logger, clock } = ctx;
  const forceAt = controller ? 3 : 2;
  return countPresses(
    interrupts,
    ['SIGINT'],
    () => clock.now(),
    (presses) => {
      if (controller && presses === 1) {
        logger.warn('interrupted: stopping the bring-up, then tearing down what it started');
        controller.abort();
      } else if (presses < forceAt) {
        logger.warn('teardown in progress; press Ctrl-C again to exit at once');
      } else {
        logger.error('exiting before the teardown finished: run `npm run network:down` to stop what is left');
        interrupts.exit(INTERRUPTED_EXIT);
      }
    },
  );
}
