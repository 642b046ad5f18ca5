import type { Msat } from '../../infra/money.js';

/** How a budget window moves with the clock. */
export type WindowAlign = 'rolling' | 'calendar';

/** Why a ledger refused a reservation, with the numbers. */
export interface LedgerRefusal {
  limitMsat: Msat;
  spentMsat: Msat;
  reservedMsat: Msat;
  askedMsat: Msat;
}

interface Spend {
  atMs: number;
  amountMsat: Msat;
}

/**
 * One budget: a limit over a time window (or over all time), with money held
 * for payments in flight. Reserving is a single synchronous check-and-hold,
 * which is what makes concurrent purchases safe on one event loop.
 *
 * Spends are kept in time order (the clock never goes back), so ageing out of
 * a rolling window is a pointer move and the running sum stays O(1).
 */
export class Ledger {
  readonly limitMsat: Msat;
  readonly windowMs: number | undefined;
  readonly align: WindowAlign;
  #spends: Spend[] = [];
  #head = 0;
  #spentSum = 0;
  #reserved = new Map<number, Msat>();
  #reservedSum = 0;

  constructor(limitMsat: Msat, windowMs?: number, align: WindowAlign = 'rolling') {
    this.limitMsat = limitMsat;
    this.windowMs = windowMs;
    this.align = align;
  }

  /** Adds spends made earlier (read back from a budget book), oldest first, before any new one. */
  restore(spends: readonly Spend[]): void {
    for (const { atMs, amountMsat } of spends) this.#addSpend(atMs, amountMsat);
  }

  /** Spends held to age out of the window later (always 0 for an all-time budget, which keeps only the sum). */
  get retainedSpends(): number {
    return this.#spends.length - this.#head;
  }

  /** Money spent inside the window that contains `nowMs`. */
  spent(nowMs: number): Msat {
    this.#prune(nowMs);
    return this.#spentSum;
  }

  /** Money held for payments in flight. */
  get reserved(): Msat {
    return this.#reservedSum;
  }

  /** What is still free to reserve at `nowMs`. */
  available(nowMs: number): Msat {
    return Math.max(0, this.limitMsat - this.spent(nowMs) - this.#reservedSum);
  }

  /** Holds `amountMsat` under `id`, or says why not. Never awaits. */
  tryReserve(id: number, amountMsat: Msat, nowMs: number): LedgerRefusal | undefined {
    const spentMsat = this.spent(nowMs);
    if (spentMsat + this.#reservedSum + amountMsat > this.limitMsat) {
      return { limitMsat: this.limitMsat, spentMsat, reservedMsat: this.#reservedSum, askedMsat: amountMsat };
    }
    this.#reserved.set(id, amountMsat);
    this.#reservedSum += amountMsat;
    return undefined;
  }

  /** Turns the hold under `id` into a spend of `actualMsat` at `nowMs`. Unknown ids are ignored. */
  settle(id: number, actualMsat: Msat, nowMs: number): void {
    if (!this.#drop(id)) return;
    if (actualMsat > 0) this.#addSpend(nowMs, actualMsat);
  }

  // Only a window needs each spend (to subtract it when it ages out): all time needs the sum alone.
  #addSpend(atMs: number, amountMsat: Msat): void {
    if (this.windowMs !== undefined) this.#spends.push({ atMs, amountMsat });
    this.#spentSum += amountMsat;
  }

  /** Frees the hold under `id`. Unknown ids are ignored. */
  release(id: number): void {
    this.#drop(id);
  }

  #drop(id: number): boolean {
    const held = this.#reserved.get(id);
    if (held === undefined) return false;
    this.#reserved.delete(id);
    this.#reservedSum -= held;
    return true;
  }

  /**
   * The earliest time a spend still counts at `nowMs` (undefined for an all-time budget): calendar
   * windows start at a multiple of their length (UTC), rolling ones a length ago.
   */
  windowStart(nowMs: number): number | undefined {
    if (this.windowMs === undefined) return undefined;
    return this.align === 'calendar'
      ? Math.floor(nowMs / this.windowMs) * this.windowMs
      : nowMs - this.windowMs + 1;
  }

  #prune(nowMs: number): void {
    const cutoff = this.windowStart(nowMs);
    if (cutoff === undefined) return;
    while (this.#head < this.#spends.length && this.#spends[this.#head]!.atMs < cutoff) {
      this.#spentSum -= this.#spends[this.#head]!.amountMsat;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#spends.length) {
      this.#spends = this.#spends.slice(this.#head);
      this.#head = 0;
    }
  }
}

/** Named window lengths a spec may use. */
export const WINDOW_MS = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
} as const;
