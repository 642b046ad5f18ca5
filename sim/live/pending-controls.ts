import type { Engine } from '../engine/engine.js';
import { refuse, type Control, type ControlError, type ControlResult } from './controls.js';

/** The answer a control waiting on the market gets when the run ends first. */
export const ENDED_FIRST = refuse(
  'finished',
  'the run ended before this control took effect; start a new one or replay it',
);

/** The answer every control gets from the first Ctrl-C on, waiting or new. */
export const BEING_STOPPED = refuse('finished', 'the run is being stopped');

/**
 * The presenter's market controls waiting on the market, each answered once:
 * by its action, or, when the run ends or is being stopped before the action
 * has answered, with the refusal `close` was given. Once closed, a new one
 * is answered with that refusal at once, so no viewer waits on a market that
 * no longer moves (its pending slots would stay taken for good).
 */
export class PendingControls {
  readonly #answers = new Set<(r: ControlResult) => void>();
  #closed: ControlError | undefined;

  /** Controls waiting for their answer. */
  get size(): number {
    return this.#answers.size;
  }

  /**
   * Starts `action` as an activity of the engine when `schedule` says
   * (between two market steps; without it, now), so an action that waits on
   * the market runs on market time like any other. Failures become
   * refusals; they never stop the run.
   */
  run(
    engine: Engine,
    applied: Control['type'],
    action: () => Promise<ControlError | undefined>,
    schedule?: (start: () => void) => void,
  ): Promise<ControlResult> {
    if (this.#closed) return Promise.resolve(this.#closed);
    return new Promise((resolve) => {
      const answer = (r: ControlResult) => {
        this.#answers.delete(answer);
        resolve(r);
      };
      this.#answers.add(answer);
      const start = () => {
        if (this.#closed) return answer(this.#closed);
        engine.spawn(`presenter ${applied}`, async () => {
          try {
            answer((await action()) ?? { ok: true, applied });
          } catch (err) {
            const e = err as { code?: string; message?: string };
            answer(refuse('not_supported', `${e.code ?? 'error'}: ${e.message ?? String(err)}`));
          }
        });
      };
      if (schedule) schedule(start);
      else start();
    });
  }

  /** Answers every control still waiting with `why` (the first call's counts), and every later one at once. */
  close(why: ControlError): void {
    this.#closed ??= why;
    for (const answer of [...this.#answers]) answer(this.#closed);
  }
}
