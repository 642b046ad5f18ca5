import type { Invoice, Payment } from '../node.js';

/** Most forgotten settled invoices a network still answers lookups for (the oldest leave first). */
export const SETTLED_ARCHIVE_CAPACITY = 100_000;

/** What stays of one settled invoice: the payee's record, trimmed, and the paying node's. */
interface Archived {
  payee: number;
  invoice: Invoice;
  payer?: number;
  payment?: Payment;
}

/**
 * Settled invoices an expiry sweep forgot (`forgetSettledInvoices`,
 * `pruneExpired`), so lookups keep telling the truth, as LND, which keeps
 * settled invoices and payments, does: the payee's `lookupInvoice` still says
 * `settled` with the amounts, preimage and times (the payment request and
 * memo are dropped: they are most of the record), and the payer's
 * `lookupPayment` still says `succeeded` with its preimage and fee. A strict
 * paywall with a cold cache would otherwise refuse a paid token (503), and a
 * buyer would read its paid payment as failed. Bounded: beyond `capacity`
 * the oldest entry goes, and lookups of it find nothing.
 */
export class SettledArchive {
  readonly #byHash = new Map<string, Archived>();

  constructor(readonly capacity = SETTLED_ARCHIVE_CAPACITY) {}

  /** Keeps what `payee` knew of a settled invoice it is forgetting. */
  keepInvoice(payee: number, invoice: Invoice): void {
    if (this.#byHash.size >= this.capacity && !this.#byHash.has(invoice.paymentHash)) {
      const oldest = this.#byHash.keys().next().value;
      if (oldest !== undefined) this.#byHash.delete(oldest);
    }
    this.#byHash.set(invoice.paymentHash, { payee, invoice: { ...invoice, paymentRequest: '', memo: '' } });
  }

  /** Keeps `payer`'s succeeded payment of an invoice kept by `keepInvoice` (others are not kept). */
  keepPayment(payer: number, payment: Payment): void {
    const a = this.#byHash.get(payment.paymentHash);
    if (!a || payment.status !== 'succeeded') return;
    a.payer = payer;
    a.payment = payment;
  }

  /** A copy of `payee`'s forgotten settled invoice, or undefined. */
  invoice(payee: number, paymentHash: string): Invoice | undefined {
    const a = this.#byHash.get(paymentHash);
    return a?.payee === payee ? { ...a.invoice } : undefined;
  }

  /** A copy of `payer`'s succeeded payment of a forgotten settled invoice, or undefined. */
  payment(payer: number, paymentHash: string): Payment | undefined {
    const a = this.#byHash.get(paymentHash);
    return a?.payment && a.payer === payer ? { ...a.payment } : undefined;
  }

  get size(): number {
    return this.#byHash.size;
  }
}
