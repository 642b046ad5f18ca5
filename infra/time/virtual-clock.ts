import type { Clock } from './clock.js';

/** 2026-01-01T00:00:00Z: every virtual run starts here unless told otherwise. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1);

interface Timer {
  at: number;
  seq: number;
  /** Called when the clock wakes it: a sleep's `resolve`, a `setTimer` callback. */
  fire: () => void;
  /** Its place in the heap; -1 once woken or cancelled (out of the heap). */
  i: number;
}

/**
 * A clock whose time moves only when asked. `sleep` parks the caller (and
 * `setTimer` its callback) in a queue ordered by (wake time, insertion
 * order), so runs are deterministic. A cancelled one leaves the queue at once.
 *
 * `advance`/`advanceTo` move time by hand (tests). `runUntilIdle` is what a
 * discrete-event engine wants: let every pending promise settle, and when
 * nothing but sleepers is left, jump to the earliest sleeper and wake it.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: Timer[] = [];

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
      const timer = this.#schedule(ms, resolve);
      signal?.addEventListener('abort', () => this.#cancel(timer), { once: true });
    });
  }

  /**
   * `fire` once `ms` of virtual time have passed (a non-positive `ms`: now), in a microtask queued
   * when it wakes, as a sleeper's continuation is: sleepers and timers due together run in the order
   * they were queued. Cancelling takes it out of the queue at once, and wins over a wake-up whose
   * microtask has not run yet.
   */
  setTimer(ms: number, fire: () => void): () => void {
    let live = true;
    const run = () => {
      if (live) fire();
    };
    const timer = ms > 0 ? this.#schedule(ms, () => queueMicrotask(run)) : undefined;
    if (!timer) queueMicrotask(run);
    return () => {
      live = false;
      if (timer) this.#cancel(timer);
    };
  }

  /** Number of sleepers and timers waiting for time to move (cancelled ones are gone). */
  get pending(): number {
    return this.#heap.length;
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
        this.#pop()!.fire();
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
    head.fire();
    return true;
  }

  /** The earliest sleeper. */
  #top(): Timer | undefined {
    return this.#heap[0];
  }

  /** Queues `fire` at `ms` from now, after every sleeper queued before at that time. */
  #schedule(ms: number, fire: () => void): Timer {
    const t: Timer = { at: this.#now + Math.ceil(ms), seq: this.#seq++, fire, i: this.#heap.length };
    this.#heap.push(t);
    this.#up(t.i);
    return t;
  }

  /** Takes a waiting timer out of the heap at once (one already woken or cancelled is left as it is). */
  #cancel(t: Timer): void {
    if (t.i >= 0) this.#removeAt(t.i);
  }

  #pop(): Timer | undefined {
    const top = this.#heap[0];
    if (top) this.#removeAt(0);
    return top;
  }

  /** Removes the timer at heap index `i`, the last one taking its place. */
  #removeAt(i: number): void {
    const h = this.#heap;
    const gone = h[i]!;
    const last = h.pop()!;
    gone.i = -1;
    if (last === gone) return;
    h[i] = last;
    this.#up(this.#down(i));
  }

  /** Moves the timer at `i` up to its place; returns where it ends. */
  #up(i: number): number {
    const h = this.#heap;
    const t = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(t, parent)) break;
      h[i] = parent;
      parent.i = i;
      i = p;
    }
    h[i] = t;
    t.i = i;
    return i;
  }

  /** Moves the timer at `i` down to its place; returns where it ends. */
  #down(i: number): number {
    const h = this.#heap;
    const t = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && before(h[r]!, h[l]!) ? r : l;
      const child = h[c]!;
      if (!before(child, t)) break;
      h[i] = child;
      child.i = i;
      i = c;
    }
    h[i] = t;
    t.i = i;
    return i;
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
