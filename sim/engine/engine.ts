import type { Clock } from '../../infra/time/clock.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { quiesce } from './idle.js';
import { LabError } from '../../infra/errors.js';

/** Why a run had to stop: a bug in an activity, or every activity blocked on something that is not the clock. */
export type EngineErrorCode = 'activity_failed' | 'stalled';

export interface EngineOptions {
  clock: Clock;
  /** Called after each step of virtual time (at most every `progressEveryMs` of it). */
  onProgress?: (nowMs: number) => void;
  progressEveryMs?: number;
}

/** How a run ended. */
export interface EngineResult {
  /** Run time at which the run ended: its last activity finished, its time limit (`untilMs`) came, or `stop()` took effect. */
  endedAtMs: number;
  /** Virtual time steps taken (0 on the wall clock). */
  steps: number;
  /** Activities still running when the time limit hit (their labels, sorted). */
  unfinished: string[];
  spawned: number;
  /** True when `stop()` ended the run while activities were still running. */
  stopped: boolean;
}

/** When a stopped run may end: checked at each step boundary (virtual time) or wake-up (wall clock). */
export type StopWhen = () => boolean | Promise<boolean>;

/**
 * The discrete-event engine. Activities (agent tasks, arrival loops, fault
 * timers) are plain async functions that wait on `clock.sleep`; they run
 * concurrently. On a VirtualClock the engine moves time only when every
 * activity is blocked on the clock, jumping straight to the next wake-up:
 * an hour of market takes as long as its computation. On the wall clock the
 * same activities simply run in real time.
 */
export class Engine {
  readonly clock: Clock;
  readonly startMs: number;
  readonly #live = new Map<number, string>();
  #nextId = 0;
  #failure: unknown;
  #failedLabel = '';
  readonly #onProgress: ((nowMs: number) => void) | undefined;
  readonly #progressEveryMs: number;
  #wakeAll: (() => void) | undefined;
  #stopWhen: StopWhen | undefined;
  #stopped = false;

  constructor({ clock, onProgress, progressEveryMs = 1000 }: EngineOptions) {
    this.clock = clock;
    this.startMs = clock.now();
    this.#onProgress = onProgress;
    this.#progressEveryMs = progressEveryMs;
  }

  /** Milliseconds since the run started. */
  elapsed(): number {
    return this.clock.now() - this.startMs;
  }

  /** Number of activities still running. */
  get live(): number {
    return this.#live.size;
  }

  /** Starts an activity now. A throw is a bug: it stops the run with `activity_failed`. */
  spawn(label: string, fn: () => Promise<unknown>): void {
    const id = this.#nextId++;
    this.#live.set(id, label);
    fn().then(
      () => this.#done(id),
      (err: unknown) => {
        if (this.#failure === undefined) {
          this.#failure = err ?? new Error('undefined rejection');
          this.#failedLabel = label;
        }
        this.#done(id);
      },
    );
  }

  /** Starts an activity at `atMs` of run time. */
  at(atMs: number, label: string, fn: () => Promise<unknown> | unknown): void {
    this.spawn(label, async () => {
      const wait = this.startMs + atMs - this.clock.now();
      if (wait > 0) await this.clock.sleep(wait);
      await fn();
    });
  }

  /**
   * Ends `run()` early, as its time limit would (activities still running are
   * abandoned and listed in `unfinished`; the result says `stopped`): at the
   * first step boundary of virtual time, or wake-up on the wall clock, where
   * `when()` holds, by default the next. The first call's `when` counts.
   */
  stop(when: StopWhen = () => true): void {
    this.#stopWhen ??= when;
  }

  /** Whether a stop was asked for and may happen now (a step boundary: nothing but sleepers can move). */
  async #stopsNow(): Promise<boolean> {
    if (!this.#stopWhen || !(await this.#stopWhen())) return false;
    this.#stopped = true;
    return true;
  }

  /**
   * Runs until every activity has finished, run time reaches `untilMs` (the
   * virtual clock is moved there) or a `stop()` happens. Activities still
   * running then are abandoned and listed in `unfinished`.
   */
  async run(untilMs: number): Promise<EngineResult> {
    const spawned = this.#nextId;
    const clock = this.clock;
    const deadline = this.startMs + untilMs;
    let steps = 0;
    if (clock instanceof VirtualClock) {
      let lastProgress = clock.now();
      for (;;) {
        await quiesce();
        this.#throwIfFailed();
        if (this.#live.size === 0) break;
        // Only after a stop is asked for is anything awaited here: the loop is the engine's hot path.
        if (this.#stopWhen && (await this.#stopsNow())) break;
        const next = clock.nextWakeAt;
        if (next === undefined) {
          throw new LabError(
            'stalled',
            `${this.#live.size} activities are blocked on something other than the virtual clock ` +
              `(a real timer, socket or a promise nobody resolves): ${this.#sample()}`,
          );
        }
        if (next > deadline) {
          // The run ends at its time limit, not at the last wake-up before it (nothing is due by then).
          await clock.stepTo(deadline);
          break;
        }
        // Quiet before (quiesce above) and after (quiesce at the top of the loop).
        await clock.stepTo(next);
        steps++;
        if (this.#onProgress && clock.now() - lastProgress >= this.#progressEveryMs) {
          lastProgress = clock.now();
          this.#onProgress(clock.now() - this.startMs);
        }
      }
    } else {
      await this.#wallClockRun(deadline);
    }
    this.#throwIfFailed();
    this.#onProgress?.(Math.min(untilMs, this.elapsed()));
    return {
      endedAtMs: Math.min(this.elapsed(), untilMs),
      steps,
      unfinished: [...this.#live.values()].sort(),
      spawned: Math.max(spawned, this.#nextId),
      stopped: this.#stopped,
    };
  }

  // On the wall clock: wait for the activities, waking once a second for progress and the deadline.
  async #wallClockRun(deadline: number): Promise<void> {
    const idle = new Promise<void>((resolve) => (this.#wakeAll = resolve));
    if (this.#live.size === 0) this.#wakeAll?.();
    while (this.#live.size > 0 && this.#failure === undefined) {
      if (await this.#stopsNow()) break;
      const left = deadline - this.clock.now();
      if (left <= 0) break;
      await Promise.race([idle, this.clock.sleep(Math.min(left, 1000))]);
      this.#onProgress?.(this.elapsed());
    }
    this.#wakeAll = undefined;
  }

  #done(id: number): void {
    this.#live.delete(id);
    if ((this.#live.size === 0 || this.#failure !== undefined) && this.#wakeAll) this.#wakeAll();
  }

  #throwIfFailed(): void {
    if (this.#failure === undefined) return;
    const cause = this.#failure;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new LabError('activity_failed', `activity "${this.#failedLabel}" failed: ${why}`, { cause });
  }

  #sample(): string {
    const labels = [...this.#live.values()].sort();
    return labels.slice(0, 5).join(', ') + (labels.length > 5 ? `, … (${labels.length - 5} more)` : '');
  }
}
