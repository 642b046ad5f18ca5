import { VirtualClock } from '../../infra/time/virtual-clock.js';

/** Fastest and slowest pace a presenter may pick (market seconds per wall second). */
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 100;

/** How a PacedClock reads and waits on wall time (passed in so tests can drive it). */
export interface WallTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realWall: WallTime = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Longest single wall wait, so pause, speed changes and queued actions take effect promptly. */
const SLICE_MS = 50;
/** Behind schedule by more than this (a slow step), the clock stops trying to catch up. */
const MAX_LAG_MS = 500;

/**
 * A virtual clock that moves no faster than wall time times `speed`. The
 * engine still jumps from one wake-up to the next, but each jump waits until
 * the wall clock has caught up, so a presenter watches the market at a pace
 * people can follow. Paused, it does not move at all. Actions queued with
 * `between` run while no activity is in the middle of a step, just before
 * time moves.
 */
export class PacedClock extends VirtualClock {
  #speed: number;
  #paused = false;
  #halted = false;
  #unpaced = false;
  #anchorWall: number;
  #anchorVirtual: number;
  readonly #wall: WallTime;
  #queue: (() => void)[] = [];

  constructor({
    speed = 10,
    wall = realWall,
    startMs,
  }: { speed?: number; wall?: WallTime; startMs?: number } = {}) {
    super(startMs);
    this.#speed = checkSpeed(speed);
    this.#wall = wall;
    this.#anchorWall = wall.now();
    this.#anchorVirtual = this.now();
  }

  get speed(): number {
    return this.#speed;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Paused and actually standing still: every activity is waiting for time to move. */
  get halted(): boolean {
    return this.#halted;
  }

  /** Changes the pace from now on. Throws a RangeError outside MIN_SPEED..MAX_SPEED. */
  setSpeed(speed: number): void {
    this.#speed = checkSpeed(speed);
    this.#reanchor();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#reanchor();
  }

  /**
   * Pacing ends for good (the run is being stopped, and ends at its next
   * settled moment, see sim/stopped-run.ts): a wait in progress, paused or
   * not, ends at once, and time moves on as fast as the market computes.
   */
  stopPacing(): void {
    this.#unpaced = true;
  }

  /** Runs `action` between two steps of the market (never inside one). */
  between(action: () => void): void {
    this.#queue.push(action);
  }

  override async advanceTo(t: number): Promise<void> {
    await this.#pace(t);
    await super.advanceTo(t);
  }

  /** The engine's step (see VirtualClock.stepTo), paced like `advanceTo`. */
  override async stepTo(t: number): Promise<void> {
    await this.#pace(t);
    await super.stepTo(t);
  }

  /**
   * Waits (in slices, draining queued actions) until wall time allows virtual
   * time `t`; paused, waits on; once `stopPacing` is called, returns at once (queued actions
   * still run first, so none is left behind when time then moves on unpaced).
   */
  async #pace(t: number): Promise<void> {
    for (;;) {
      this.#drain();
      if (this.#unpaced) return;
      this.#halted = this.#paused;
      if (this.#paused) {
        await this.#wall.sleep(SLICE_MS);
        continue;
      }
      const due = this.#anchorWall + (t - this.#anchorVirtual) / this.#speed;
      const left = due - this.#wall.now();
      if (left <= 0) {
        if (-left > MAX_LAG_MS) this.#reanchor();
        break;
      }
      await this.#wall.sleep(Math.min(left, SLICE_MS));
    }
  }

  #drain(): void {
    const actions = this.#queue;
    this.#queue = [];
    for (const a of actions) a();
  }

  #reanchor(): void {
    this.#anchorWall = this.#wall.now();
    this.#anchorVirtual = this.now();
  }
}

function checkSpeed(speed: number): number {
  if (!Number.isFinite(speed) || speed < MIN_SPEED || speed > MAX_SPEED)
    throw new RangeError(`speed must be between ${MIN_SPEED} and ${MAX_SPEED}, got ${speed}`);
  return speed;
}
