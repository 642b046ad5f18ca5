import type { Invoice, Payment } from '../node.js';

/** Most forgotten settled invoices, and as many succeeded payments, a network still answers lookups for (the oldest leave first). */
export const SETTLED_ARCHIVE_CAPACITY = 100_000;

/**
 * Settled invoices an expiry sweep forgot (`forgetSettledInvoices`,
 * `pruneExpired`), and succeeded payments, so lookups keep telling the truth,
 * as LND, which keeps settled invoices and payments, does: the payee's
 * `lookupInvoice` still says `settled` with the amounts, preimage and times
 * (the payment request and memo are dropped: they are most of the record),
 * and the payer's `lookupPayment` still says `succeeded` with its preimage
 * and fee. A strict paywall with a cold cache would otherwise refuse a paid
 * token (503), and a buyer would read its paid payment as failed; and the
 * payee refuses a new invoice for a hash it was paid, the payer a second
 * payment of a hash it paid. Invoices are the payee's and payments the
 * payer's: keyed by node and hash, so two payees of one hash (a hold invoice
 * reusing a hash seen on the network) never overwrite each other. Bounded:
 * beyond `capacity` invoices (and as many payments) the oldest goes, and
 * lookups of it find nothing.
 */
export class SettledArchive {
  readonly #invoices = new Map<string, Invoice>();
  readonly #payments = new Map<string, Payment>();

  constructor(readonly capacity = SETTLED_ARCHIVE_CAPACITY) {}

  /** Keeps what `payee` knew of a settled invoice it is forgetting. */
  keepInvoice(payee: number, invoice: Invoice): void {
    this.#keep(this.#invoices, key(payee, invoice.paymentHash), {
      ...invoice,
      paymentRequest: '',
      memo: '',
    });
  }

  /** Keeps `payer`'s succeeded payment it is forgetting (others are not kept). */
  keepPayment(payer: number, payment: Payment): void {
    if (payment.status === 'succeeded') this.#keep(this.#payments, key(payer, payment.paymentHash), payment);
  }

  /** A copy of `payee`'s forgotten settled invoice, or undefined. */
  invoice(payee: number, paymentHash: string): Invoice | undefined {
    const i = this.#invoices.get(key(payee, paymentHash));
    return i && { ...i };
  }

  /** A copy of `payer`'s forgotten succeeded payment, or undefined. */
  payment(payer: number, paymentHash: string): Payment | undefined {
    const p = this.#payments.get(key(payer, paymentHash));
    return p && { ...p };
  }

  /** Invoices and payments held. */
  get size(): number {
    return this.#invoices.size + this.#payments.size;
  }

  #keep<T>(map: Map<string, T>, k: string, value: T): void {
    if (map.size >= this.capacity && !map.has(k)) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    map.set(k, value);
  }
}

const key = (node: number, paymentHash: string): string => `${node}:${paymentHash}`;
