import type { Clock } from './clock.js';

/** 2026-01-01T00:00:00Z: every virtual run starts here unless told otherwise. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  /** Set when its sleep was aborted: dropped when it reaches the top of the heap. */
  cancelled?: boolean;
  /** Set once popped and resolved. */
  woken?: boolean;
}

/**
 * A clock whose time moves only when asked. `sleep` parks the caller in a
 * queue ordered by (wake time, insertion order), so runs are deterministic.
 *
 * `advance`/`advanceTo` move time by hand (tests). `runUntilIdle` is what a
 * discrete-event engine wants: let every pending promise settle, and when
 * nothing but sleepers is left, jump to the earliest sleeper and wake it.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: Timer[] = [];
  #cancelled = 0;

  constructor(startMs: number = VIRTUAL_EPOCH_MS) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return new Promise<void>(() => undefined);
    if (!(ms > 0)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer: Timer = { at: this.#now + Math.ceil(ms), seq: this.#seq++, resolve };
      if (signal) {
        timer.resolve = () => {
          timer.woken = true;
          resolve();
        };
        signal.addEventListener(
          'abort',
          () => {
            if (timer.cancelled || timer.woken) return;
            timer.cancelled = true;
            this.#cancelled++;
          },
          { once: true },
        );
      }
      this.#push(timer);
    });
  }

  /** Number of sleepers waiting for time to move (aborted ones not counted). */
  get pending(): number {
    return this.#heap.length - this.#cancelled;
  }

  /** Wake time of the earliest sleeper, or undefined when none waits. */
  get nextWakeAt(): number | undefined {
    return this.#top()?.at;
  }

  /** Moves time forward to `t`, waking every sleeper due by then, in order. */
  async advanceTo(t: number): Promise<void> {
    this.#refuseBackwards(t);
    do await settle();
    while (this.#wakeHead(t));
    this.#now = t;
    await settle();
  }

  /**
   * `advanceTo(t)` for a caller that lets everything settle on both sides of
   * it (the sim engine's quiesce): the same wake-ups, `settle()` apart, but
   * without the turns before the first wake-up and after the last. Those find
   * nothing but sleepers left, so they change nothing, only cost turns.
   */
  async stepTo(t: number): Promise<void> {
    this.#refuseBackwards(t);
    if (this.#wakeHead(t))
      while (this.#dueBy(t)) {
        await settle();
        this.#wakeHead(t);
      }
    this.#now = t;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.#now + ms);
  }

  /**
   * Runs the event loop on virtual time until no sleeper is left or the next
   * wake time is past `untilMs`. Returns the number of wake-ups performed.
   */
  async runUntilIdle(untilMs = Number.POSITIVE_INFINITY): Promise<number> {
    let wakes = 0;
    for (;;) {
      await settle();
      const head = this.#top();
      if (!head || head.at > untilMs) return wakes;
      if (head.at > this.#now) this.#now = head.at;
      // Wake every sleeper due at this instant (in insertion order) before
      // settling once: same order as one at a time, a fraction of the turns.
      for (let t = this.#top(); t && t.at <= this.#now; t = this.#top()) {
        this.#pop()!.resolve();
        wakes++;
      }
    }
  }

  #refuseBackwards(t: number): void {
    if (t < this.#now)
      throw new RangeError(`cannot move a virtual clock backwards (now ${this.#now}, asked ${t})`);
  }

  #dueBy(t: number): boolean {
    const head = this.#top();
    return head !== undefined && head.at <= t;
  }

  /** Wakes the earliest sleeper if it is due by `t`, moving time to its wake time; false if none is. */
  #wakeHead(t: number): boolean {
    if (!this.#dueBy(t)) return false;
    const head = this.#pop()!;
    this.#now = head.at;
    head.resolve();
    return true;
  }

  /** The earliest live sleeper, after dropping aborted ones from the top. */
  #top(): Timer | undefined {
    while (this.#heap[0]?.cancelled) {
      this.#pop();
      this.#cancelled--;
    }
    return this.#heap[0];
  }

  #push(t: Timer): void {
    const h = this.#heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): Timer | undefined {
    const h = this.#heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Lets every promise chain that can make progress without time passing do so.
 * In-memory HTTP, the simnet and LangGraph settle through promises and
 * `setImmediate`; a few macrotask turns drain them.
 */
export function settle(turns = 3): Promise<number> {
  return immediateTurns((taken) => taken < turns);
}

/**
 * Takes macrotask turns while `more(turnsTaken)` says so, then resolves with
 * the number taken. Each turn is one Immediate queued from the previous one's
 * callback: the same turns, queued at the same points, as awaiting
 * `setImmediate` in a loop (the microtask queue is empty when an immediate's
 * callback runs), without a promise, resolver or async frame per turn.
 */
export function immediateTurns(more: (turnsTaken: number) => boolean): Promise<number> {
  return new Promise((resolve) => {
    let taken = 0;
    const turn = (): void => {
      if (!more(taken)) return resolve(taken);
      taken++;
      setImmediate(turn);
    };
    turn();
  });
}
