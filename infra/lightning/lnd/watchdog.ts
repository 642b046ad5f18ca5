import type { Clock } from '../../time/clock.js';
import { LndError } from './errors.js';
import { wholeNumber } from './limits.js';

/** When a request to LND has waited too long; every field is optional. */
export interface Patience {
  /** Most ms until the first message (default `idleMs`). */
  firstMessageMs?: number;
  /** Most ms between two messages (and until the first one, unless `firstMessageMs` is given). */
  idleMs?: number;
  /** The clock's time (ms) at which the request ends whatever it is doing. */
  deadline?: number;
  /** The clock's time (ms) `deadline` was counted from, which its timeout names (default: now). */
  since?: number;
}

/**
 * Ends a request to LND that waited too long: its `signal` aborts with an
 * `LndError('timeout')` once `deadline` passes or LND stays silent longer than
 * allowed (`kick()` on every message). Timed on the injected clock; `stop()`
 * when the request is over.
 */
export class Watchdog {
  readonly #ac = new AbortController();
  readonly #stopped = new AbortController();
  readonly #clock: Clock;
  readonly #where: string;
  readonly #patience: Patience;
  readonly signal: AbortSignal;
  readonly #started: number;
  #last: number;
  #wait: number | undefined;
  #error: LndError | undefined;

  constructor(clock: Clock, where: string, patience: Patience, outer?: AbortSignal) {
    for (const [name, ms] of Object.entries(patience)) {
      if (ms !== undefined) wholeNumber(ms, name, 'bad_request', { min: 0 });
    }
    this.#clock = clock;
    this.#where = where;
    this.#patience = patience;
    this.#started = patience.since ?? clock.now();
    this.#last = this.#started;
    this.#wait = patience.firstMessageMs ?? patience.idleMs;
    this.signal = outer ? AbortSignal.any([outer, this.#ac.signal]) : this.#ac.signal;
    void this.#watch();
  }

  /** The timeout that ended the request, if one did. */
  get error(): LndError | undefined {
    return this.#error;
  }

  /** A message arrived: the silence starts again, now with `idleMs`. */
  kick(): void {
    this.#last = this.#clock.now();
    this.#wait = this.#patience.idleMs;
  }

  stop(): void {
    this.#stopped.abort();
  }

  async #watch(): Promise<void> {
    while (!this.#stopped.signal.aborted) {
      const silentUntil = this.#wait === undefined ? Infinity : this.#last + this.#wait;
      const due = Math.min(silentUntil, this.#patience.deadline ?? Infinity);
      if (due === Infinity) return;
      const now = this.#clock.now();
      if (now >= due) return this.#fire(due === silentUntil);
      await this.#clock.sleep(due - now, this.#stopped.signal);
    }
  }

  #fire(silent: boolean): void {
    const why = silent
      ? `LND sent nothing for ${this.#wait} ms`
      : `LND gave no final answer within ${(this.#patience.deadline ?? 0) - this.#started} ms`;
    this.#error = new LndError(
      'timeout',
      `${this.#where}: ${why}; the request was abandoned. Is lnd overloaded or stuck? ` +
        `(limits.callTimeoutMs and the call's timeout set how long to wait)`,
    );
    this.#ac.abort(this.#error);
  }
}
