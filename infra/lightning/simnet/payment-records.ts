import type { Payment } from '../node.js';

/** One payer's record of its payment of one hash. */
export interface PaymentRecord {
  payment: Payment;
  /** The invoice's expiry: once it passed and the payment ended, nobody needs the record to pay it. */
  expiresAtMs: number;
  /** The payment itself, while it runs: a second `pay` of the hash answers as this one does. */
  run?: Promise<Payment>;
}

/**
 * Every payer's payment records, by payment hash: what `lookupPayment`
 * reads and what keeps a payer from paying a hash twice. A record goes once
 * its payment ended and its invoice expired (`forget`), whether or not the
 * network ever issued the invoice (a payment refused for an unknown hash
 * leaves a record too).
 */
export class PaymentRecords {
  readonly #byPayer: Map<string, PaymentRecord>[] = [];

  get(payer: number, paymentHash: string): PaymentRecord | undefined {
    return this.#byPayer[payer]?.get(paymentHash);
  }

  /** Records `payer`'s new payment of an invoice expiring at `expiresAtMs` (replacing a failed one). */
  add(payer: number, payment: Payment, expiresAtMs: number): PaymentRecord {
    const record: PaymentRecord = { payment, expiresAtMs };
    (this.#byPayer[payer] ??= new Map()).set(payment.paymentHash, record);
    return record;
  }

  /** Keeps `run` on the record while it runs (a run that threw stays: a second `pay` gets its error). */
  running(record: PaymentRecord, run: Promise<Payment>): void {
    record.run = run;
    const done = () => void delete record.run;
    run.then(done, () => undefined);
  }

  /**
   * Drops every record whose payment ended and whose invoice expired by
   * `now`; a succeeded one stays with `keepSucceeded`, else it is handed to
   * `kept` first. Returns how many went.
   */
  forget(now: number, keepSucceeded: boolean, kept?: (payer: number, p: Payment) => void): number {
    let n = 0;
    this.#byPayer.forEach((mine, payer) => {
      for (const [hash, { payment: p, expiresAtMs }] of mine) {
        if (p.status === 'in_flight' || expiresAtMs > now) continue;
        if (p.status === 'succeeded') {
          if (keepSucceeded) continue;
          kept?.(payer, p);
        }
        mine.delete(hash);
        n++;
      }
    });
    return n;
  }

  /** Records held, over every payer. */
  get held(): number {
    let n = 0;
    for (const mine of this.#byPayer) n += mine?.size ?? 0;
    return n;
  }
}
