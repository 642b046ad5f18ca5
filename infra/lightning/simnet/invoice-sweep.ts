import type { Clock } from '../../time/clock.js';
import type { InvoiceStore } from './invoices.js';
import type { IssuedInvoice } from './payment-deps.js';
import type { PaymentEngine } from './payment.js';
import type { SettledArchive } from './settled-archive.js';

/** What forgetting expired invoices touches: the network's issued invoices, each node's store, the payers' records, the archive of settled ones. */
export interface ExpiryDeps {
  clock: Clock;
  issued: Map<string, IssuedInvoice>;
  stores: readonly InvoiceStore[];
  payments: Pick<PaymentEngine, 'forget'>;
  archive: SettledArchive;
}

/**
 * Forgets every invoice expired by now that nobody can pay any more (see
 * `InvoiceStore.forgetIfExpired`; `keepSettled` keeps settled invoices), and
 * the payers' records of payments that ended and whose invoices expired,
 * issued by this network or not (`keepSettled` keeps succeeded ones). A
 * settled invoice or succeeded payment forgotten leaves its trimmed record
 * in the archive, so lookups still find it. Returns the number of invoices
 * forgotten (two payees' invoices of one hash are two).
 */
export function forgetExpired(d: ExpiryDeps, { keepSettled }: { keepSettled: boolean }): number {
  const now = d.clock.now();
  let forgottenInvoices = 0;
  for (const [pr, inv] of d.issued) {
    if (inv.expiresAtMs > now) continue;
    const forgotten = d.stores[inv.payee]!.forgetIfExpired(inv.paymentHash, now, { keepSettled });
    if (!forgotten) continue;
    if (forgotten.state === 'settled') d.archive.keepInvoice(inv.payee, forgotten);
    d.issued.delete(pr);
    forgottenInvoices++;
  }
  d.payments.forget(now, keepSettled, (payer, p) => d.archive.keepPayment(payer, p));
  return forgottenInvoices;
}

/**
 * Forgets invoices that expired unpaid, as new ones are issued: anyone can
 * make a seller issue invoices by asking (every 402 is one), so without this
 * a node's memory grows with the requests it ever answered. A sweep runs
 * when the number of issued invoices has doubled since the last one (and is
 * at least `minIssued`): each invoice costs O(1) amortized, and the invoices
 * held stay under twice those still payable, settled or held, plus
 * `minIssued`. Settled invoices stay (a node's record of what it was paid)
 * unless `forgetSettled` (then they go once expired, with the payers'
 * records, into the bounded `SettledArchive`); `SimNetwork.pruneExpired`
 * forgets those too.
 */
export class UnpaidInvoiceSweep {
  #due: number;

  constructor(
    private readonly deps: ExpiryDeps,
    readonly forgetSettled = false,
    readonly minIssued = 1024,
  ) {
    this.#due = minIssued;
  }

  /** Forgets every expired invoice, settled ones included, now (`SimNetwork.pruneExpired`); returns how many. */
  pruneAll(): number {
    return forgetExpired(this.deps, { keepSettled: false });
  }

  /** Called after an invoice is issued: sweeps when due; returns the number forgotten (0 when no sweep ran). */
  afterIssue(): number {
    if (this.deps.issued.size < this.#due) return 0;
    const forgotten = forgetExpired(this.deps, { keepSettled: !this.forgetSettled });
    this.#due = Math.max(this.minIssued, 2 * this.deps.issued.size);
    return forgotten;
  }
}
