import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';

/** A hold invoice this paywall issued and has not settled or canceled yet. */
export interface PendingHold {
  paymentHash: string;
  /** Known only to the seller until it settles: settling reveals it to the payer. */
  preimage: string;
  /** sha256 of the payer's secret, sent with the request for the hold invoice; the retry must show the secret. */
  payerLock: string;
  /** The challenge, so a retry that came too early can be answered with the same one. */
  token: string;
  invoice: string;
  tokenId: string;
  priceMsat: number;
  tier: number;
  expiresAtMs: number;
  /** A retry is waiting on or running the handler for this invoice. */
  busy: boolean;
  /** The payer's HTLC is locked in (the node said `accepted`). */
  accepted?: boolean;
  /** Delivered on a buyer-released retry: settles or cancels on the buyer's word, or cancels at expiry. */
  awaitingRelease?: boolean;
  /** Cancels the invoice at its expiry when the HTLC was accepted and no retry came. */
  expiry?: AbortController;
}

/** What the hold book needs to cancel holds on its own. */
export interface HoldBookDeps {
  node: LightningNode;
  clock: Clock;
  logger: Logger;
  /** Most holds in flight at once; beyond it new holds are refused (503), never evicted. */
  capacity: number;
}

/**
 * The hold invoices in flight, by payment hash, in issue order. Every
 * operation is O(1) (amortized): invoices of one paywall share one expiry
 * period, so the expired ones are always at the front, and `add` drops
 * them from there. A hold whose HTLC was accepted but whose retry never
 * came is canceled at the invoice's expiry, so the payer's money is not
 * locked until the HTLC's CLTV; `close` cancels every hold left.
 */
export class HoldBook {
  readonly #pending = new Map<string, PendingHold>();
  readonly #d: HoldBookDeps;
  #unsubscribe: (() => void) | undefined;
  /** Entries looked at while dropping expired holds (capacity planning, tests). */
  swept = 0;

  constructor(deps: HoldBookDeps) {
    this.#d = deps;
  }

  /** Adds a hold, or returns false when the book is full even after dropping expired holds. */
  add(h: PendingHold): boolean {
    // Listen to the node once a first hold exists: a paywall that never holds adds no listener.
    this.#unsubscribe ??= this.#d.node.onInvoice((inv) => this.#onInvoice(inv.paymentHash, inv.state));
    this.#dropExpired(this.#d.clock.now());
    if (this.#pending.size >= this.#d.capacity) return false;
    this.#pending.set(h.paymentHash, h);
    return true;
  }

  get(paymentHash: string): PendingHold | undefined {
    return this.#pending.get(paymentHash);
  }

  /** Forgets a hold (settled or canceled by its retry). */
  delete(paymentHash: string): void {
    this.#pending.get(paymentHash)?.expiry?.abort();
    this.#pending.delete(paymentHash);
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Cancels `h` at its invoice expiry unless a retry finishes it first. Idempotent. */
  armExpiry(h: PendingHold): void {
    if (h.expiry) return;
    h.expiry = new AbortController();
    const wait = Math.max(0, h.expiresAtMs - this.#d.clock.now());
    void this.#d.clock.sleep(wait, h.expiry.signal).then(() => {
      delete h.expiry;
      if (this.#pending.get(h.paymentHash) !== h) return;
      if (h.busy) return; // the retry running now settles or cancels it
      this.#pending.delete(h.paymentHash);
      void this.#cancel(h, 'expired with the HTLC held and no retry');
    });
  }

  /** Shutdown: cancels every hold still in the book (accepted HTLCs go back to their payers). */
  async close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    const all = [...this.#pending.values()];
    this.#pending.clear();
    await Promise.all(
      all.map((h) => {
        h.expiry?.abort();
        return this.#cancel(h, 'the paywall is shutting down');
      }),
    );
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
      if (h.busy) this.#pending.set(hash, h);
      else if (h.accepted) void this.#cancel(h, 'expired with the HTLC held and no retry');
      else h.expiry?.abort();
      if (h.busy) return;
    }
  }

  async #cancel(h: PendingHold, why: string): Promise<void> {
    try {
      await this.#d.node.cancelInvoice(h.paymentHash);
      this.#d.logger.info({ paymentHash: h.paymentHash, why }, 'hold invoice canceled');
    } catch (err) {
      this.#d.logger.warn({ err, paymentHash: h.paymentHash, why }, 'could not cancel a hold invoice');
    }
  }
}

/** Where a hold invoice stands after waiting. */
export type HoldWait = 'accepted' | 'settled' | 'canceled' | 'missing' | 'timeout';

/**
 * Waits until the payer's HTLC is locked in (`accepted`), on the injected
 * clock. It listens to `onInvoice` for a prompt wake-up and also polls
 * `lookupInvoice` every `pollMs` (a backend may not push every state), so at
 * most one short sleeper is left on a virtual clock after it returns.
 */
export async function waitForAccepted(
  node: LightningNode,
  clock: Clock,
  paymentHash: string,
  { timeoutMs, pollMs }: { timeoutMs: number; pollMs: number },
): Promise<HoldWait> {
  const deadline = clock.now() + timeoutMs;
  let wake: () => void = () => undefined;
  const unsubscribe = node.onInvoice((inv) => {
    if (inv.paymentHash === paymentHash) wake();
  });
  try {
    for (;;) {
      const inv = await node.lookupInvoice(paymentHash);
      if (!inv) return 'missing';
      if (inv.state !== 'open') return inv.state;
      const left = deadline - clock.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        wake = resolve;
        void clock.sleep(Math.min(pollMs, left)).then(resolve);
      });
    }
  } finally {
    unsubscribe();
  }
}
