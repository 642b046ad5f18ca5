import type { PurchaseEvent } from '../../agents/l402/index.js';
import { delivered, paidCallFailed } from '../metrics/rows.js';
import type { NewPurchaseRow } from '../metrics/recorder.js';

/**
 * Marks the purchases.csv row that redeems a payment whose paid call did not deliver (`paymentRedeemed`):
 * an honest seller gives back a call it answered 5xx, the token stays with the buyer, and another task of
 * the buyer may deliver with it later (or, waiting on the same purchase, already did), so that payment was
 * not for nothing. One agent's tasks overlap and each task's rows are recorded when the task ends, so a
 * delivery with the token can be recorded before or after the failed paid call: the mark goes on whichever
 * of the two is recorded second. The agent's settled payments, heard as they happen (`hear`), say which
 * tokens' paid rows are still to come.
 *
 * Memory: the agent's settled payments whose paid row is not recorded yet (its tasks in progress) and its
 * failed paid calls not redeemed yet, never its whole history.
 */
export class Redemptions {
  /** Settled payments whose paid row is not recorded yet: whether a delivery with the token was recorded meanwhile. */
  readonly #unrecorded = new Map<string, boolean>();
  /** Tokens whose paid call's row is recorded, that call failed, and no delivery with them is recorded since. */
  readonly #failed = new Set<string>();

  /** Hears one of the agent's purchase steps (its L402 client's `onEvent`) as it happens. */
  hear(e: PurchaseEvent): void {
    if (e.step === 'pay' && e.ok) this.#unrecorded.set(e.paymentHash, false);
  }

  /**
   * The row as it is recorded now, marked when it redeems a payment. `paymentHash` is the token's the row
   * bought or used. Every row of the agent goes through here once, in the order the recorder gets them.
   */
  mark(row: NewPurchaseRow, paymentHash: string | undefined): NewPurchaseRow {
    return paymentHash !== undefined && this.#redeems(row, paymentHash)
      ? { ...row, paymentRedeemed: true }
      : row;
  }

  #redeems(row: NewPurchaseRow, hash: string): boolean {
    if (row.paidMsat > 0) {
      // The paid call's own row: its delivery, or one recorded before it, settles the payment now.
      const deliveredBefore = this.#unrecorded.get(hash) ?? false;
      this.#unrecorded.delete(hash);
      if (!paidCallFailed(row)) return false;
      if (deliveredBefore) return true;
      this.#failed.add(hash);
      return false;
    }
    if (!delivered(row)) return false;
    if (this.#unrecorded.has(hash)) {
      this.#unrecorded.set(hash, true);
      return false;
    }
    return this.#failed.delete(hash);
  }
}
