import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Final, HoldVerdict, PendingHold } from './pending-hold.js';

export type { Final, HoldVerdict, PendingHold } from './pending-hold.js';

/** First wait before settling or canceling a hold again after the node failed to; it doubles up to the max. */
export const RESOLVE_RETRY_MS = 1_000;
export const RESOLVE_RETRY_MAX_MS = 60_000;

/** Unpaid holds one `add` may try to cancel to make room (each a node lookup and cancel). */
export const MAX_EVICTIONS_PER_ADD = 3;

/** `add`'s answer: the hold is in the book, or not, and how long until one is sure to leave. */
export type HoldAdded = { ok: true } | { ok: false; retryAfterMs: number };

/** What the hold book needs to cancel holds on its own. */
export interface HoldBookDeps {
  node: LightningNode;
  clock: Clock;
  logger: Logger;
  /** Most holds in flight at once; a new one beyond it takes the place of the oldest unpaid one. */
  capacity: number;
  /** Told of each hold found canceled: its token can never be presented again (its counters can go). */
  onCanceled?: (h: PendingHold) => void;
}

/**
 * The hold invoices in flight, by payment hash, in issue order. Every
 * operation is O(1) (amortized): invoices of one paywall share one expiry
 * period, so the expired ones are always at the front, and `add` drops
 * them from there. A hold whose HTLC was accepted but whose retry never
 * came is canceled at the invoice's expiry, so the payer's money is not
 * locked until the HTLC's CLTV; `close` cancels every hold left. A full
 * book makes room by canceling its oldest unpaid hold (asking for one costs
 * nothing, so unpaid ones must not shut paying buyers out until they expire);
 * finding it looks past the paid and busy holds before it, as many as there are.
 */
export class HoldBook {
  readonly #pending = new Map<string, PendingHold>();
  readonly #d: HoldBookDeps;
  #unsubscribe: (() => void) | undefined;
  /** Aborted by `close`: stops the retries of holds still resolving. */
  readonly #closing = new AbortController();
  /** Entries looked at while dropping expired holds (capacity planning, tests). */
  swept = 0;

  constructor(deps: HoldBookDeps) {
    this.#d = deps;
  }

  /**
   * Adds a hold. A book full once expired holds are dropped cancels its oldest hold that no HTLC
   * pays and no retry uses (`#evict`), up to `MAX_EVICTIONS_PER_ADD` tries; when every hold is paid,
   * in use or being resolved, `h` is refused with the time until the first of them expires (a paid
   * one whose retry never comes is canceled then), or 1 s when the node did not cancel.
   */
  async add(h: PendingHold): Promise<HoldAdded> {
    // Listen to the node once a first hold exists: a paywall that never holds adds no listener.
    this.#unsubscribe ??= this.#d.node.onInvoice((inv) => this.#onInvoice(inv.paymentHash, inv.state));
    this.#dropExpired(this.#d.clock.now());
    for (let tries = 0; this.#pending.size >= this.#d.capacity; tries++) {
      const unpaid = this.#oldestUnpaid();
      if (!unpaid) return { ok: false, retryAfterMs: this.#untilFirstExpiry() };
      if (tries === MAX_EVICTIONS_PER_ADD) return { ok: false, retryAfterMs: RESOLVE_RETRY_MS };
      await this.#evict(unpaid);
    }
    this.#pending.set(h.paymentHash, h);
    return { ok: true };
  }

  /** The first hold in issue order that no HTLC is known to pay and nothing uses. */
  #oldestUnpaid(): PendingHold | undefined {
    for (const h of this.#pending.values()) if (!h.busy && !h.resolving && !h.accepted) return h;
    return undefined;
  }

  /** Ms until the first hold in the book expires (0: one has already). */
  #untilFirstExpiry(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const h of this.#pending.values()) first = Math.min(first, h.expiresAtMs);
    return Math.max(0, first - this.#d.clock.now());
  }

  /**
   * Cancels unpaid hold `h` to make room, once the node says no HTLC pays it (an event may be late):
   * one it says is paid is kept, and canceled at its expiry if its retry never comes; one it does
   * not answer for is kept too. While the node is asked, `h` is being canceled: its retry is
   * answered 503, never run.
   */
  async #evict(h: PendingHold): Promise<void> {
    h.resolving = 'cancel';
    const inv = await this.#d.node.lookupInvoice(h.paymentHash).catch(() => null);
    if (this.#pending.get(h.paymentHash) !== h) return; // gone meanwhile (the book closed)
    if (inv === null || inv?.state === 'accepted' || h.accepted) {
      delete h.resolving;
      if (inv?.state === 'accepted') this.#onInvoice(h.paymentHash, 'accepted');
      return;
    }
    await this.#cancel(h, 'the hold book was full and no HTLC paid it');
  }

  get(paymentHash: string): PendingHold | undefined {
    return this.#pending.get(paymentHash);
  }

  /** Forgets a hold (settled or canceled by its retry). */
  delete(paymentHash: string): void {
    this.#pending.get(paymentHash)?.expiry?.abort();
    this.#pending.delete(paymentHash);
  }

  /** Forgets `h`, which the node has settled or canceled (a buyer's verdict), as `resolve` does. */
  resolved(h: PendingHold, state: Final): void {
    this.delete(h.paymentHash);
    if (state === 'canceled') this.#d.onCanceled?.(h);
  }

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Settles or cancels `h` and forgets it once the node has done it. A node
   * that fails keeps `h` in the book, marked `resolving` (its retries are
   * answered 503, never with a new invoice), and it is tried again on the
   * clock, 1 s then doubling to 60 s apart, until the node does it or says
   * the invoice is settled or canceled already; `done` then gets that state.
   * Resolves once the first try is over: true when it did it.
   */
  async resolve(h: PendingHold, verdict: HoldVerdict, done: (state: Final) => void): Promise<boolean> {
    h.expiry?.abort();
    h.resolving = verdict;
    const state = await this.#apply(h);
    if (state) this.#finished(h, state, done);
    else void this.#retry(h, done);
    return state !== undefined;
  }

  async #retry(h: PendingHold, done: (state: Final) => void): Promise<void> {
    for (let wait = RESOLVE_RETRY_MS; ; wait = Math.min(2 * wait, RESOLVE_RETRY_MAX_MS)) {
      const slept = await this.#d.clock.sleep(wait, this.#closing.signal).then(
        () => true,
        () => false,
      );
      if (!slept) return; // closed: `close` tries it once more
      const state = await this.#apply(h);
      if (state) return this.#finished(h, state, done);
    }
  }

  #finished(h: PendingHold, state: Final, done: (state: Final) => void): void {
    if (this.#pending.get(h.paymentHash) === h) this.#pending.delete(h.paymentHash);
    if (state === 'canceled') this.#d.onCanceled?.(h);
    done(state);
  }

  /** One try at `h.resolving`: the invoice's final state, or undefined while the node cannot tell. */
  async #apply(h: PendingHold): Promise<Final | undefined> {
    const { node, logger } = this.#d;
    try {
      if (h.resolving === 'settle') await node.settleInvoice(h.preimage);
      else await node.cancelInvoice(h.paymentHash);
      return h.resolving === 'settle' ? 'settled' : 'canceled';
    } catch (err) {
      const inv = await node.lookupInvoice(h.paymentHash).catch(() => null);
      const state = inv === null ? undefined : (inv?.state ?? 'gone');
      if (state === 'settled' || state === 'canceled') return state;
      // A node canceling an expired unpaid invoice itself may then forget it: no HTLC is left to refund.
      if (state === 'gone' && h.resolving === 'cancel') return 'canceled';
      logger.warn({ err, paymentHash: h.paymentHash, verdict: h.resolving }, 'hold invoice: will try again');
      return undefined;
    }
  }

  /** Cancels `h` at its invoice expiry unless a retry finishes it first. Idempotent. */
  armExpiry(h: PendingHold): void {
    if (h.expiry) return;
    h.expiry = new AbortController();
    const wait = Math.max(0, h.expiresAtMs - this.#d.clock.now());
    void this.#d.clock.sleep(wait, h.expiry.signal).then(() => {
      delete h.expiry;
      if (this.#pending.get(h.paymentHash) !== h) return;
      if (h.busy || h.resolving) return; // the retry running now settles or cancels it
      void this.#cancel(h, 'expired with the HTLC held and no retry');
    });
  }

  /** Shutdown: cancels every hold still in the book (accepted HTLCs go back to their payers). */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#closing.abort();
    const all = [...this.#pending.values()];
    this.#pending.clear();
    await Promise.all(all.map((h) => this.#once(h, h.resolving ?? 'cancel', 'the paywall is shutting down')));
  }

  #onInvoice(paymentHash: string, state: string): void {
    if (state !== 'accepted') return;
    const h = this.#pending.get(paymentHash);
    if (!h) return;
    h.accepted = true;
    if (!h.busy) this.armExpiry(h);
  }

  // Expired holds sit at the front (one expiry period, issued in order); a busy one is moved to the back.
  #dropExpired(now: number): void {
    for (const [hash, h] of this.#pending) {
      this.swept++;
      if (h.expiresAtMs > now) return;
      this.#pending.delete(hash);
      if (h.busy || h.resolving) this.#pending.set(hash, h);
      else if (h.accepted) void this.#cancel(h, 'expired with the HTLC held and no retry');
      else h.expiry?.abort();
      if (h.busy || h.resolving) return;
    }
  }

  /** Cancels a hold nobody retries any more, trying again until the node does it. */
  async #cancel(h: PendingHold, why: string): Promise<void> {
    if (this.#pending.get(h.paymentHash) !== h) this.#pending.set(h.paymentHash, h);
    await this.resolve(h, 'cancel', () =>
      this.#d.logger.info({ paymentHash: h.paymentHash, why }, 'hold invoice canceled'),
    );
  }

  /** Shutdown: one last try at `verdict`, logged either way. */
  async #once(h: PendingHold, verdict: HoldVerdict, why: string): Promise<void> {
    h.expiry?.abort();
    h.resolving = verdict;
    const state = await this.#apply(h);
    const { logger } = this.#d;
    if (state === 'canceled') this.#d.onCanceled?.(h);
    if (state) logger.info({ paymentHash: h.paymentHash, why, state }, 'hold invoice resolved');
    else
      logger.error(
        { paymentHash: h.paymentHash, why, verdict },
        'could not resolve a hold invoice: its HTLC times out on its own',
      );
  }
}
