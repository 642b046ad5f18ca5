import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import type { Logger } from '../../log.js';
import type { Clock } from '../../time/clock.js';
import type { Invoice, PaymentFailureReason } from '../node.js';
import type { FinalDecision } from './outcomes.js';
import { LabError } from '../../errors.js';

interface InvoiceRecord {
  invoice: Invoice;
  /** Blocks between an HTLC's arrival and its expiry (the invoice's min_final_cltv_expiry). */
  finalCltv: number;
  /** The invoice's payment secret (BOLT11 `s`): an HTLC must carry it (undefined: none asked). */
  paymentSecret: string | undefined;
  /** Set while a hold invoice has an accepted HTLC waiting for settle or cancel. */
  resolveHold?: (d: FinalDecision) => void;
  /** Aborts the accepted HTLC's expiry timer once the hold is settled or canceled. */
  expiry?: AbortController;
}

/** Bitcoin's target block interval: the simnet's block clock for HTLC expiry (CLTV). */
export const BLOCK_INTERVAL_MS = 600_000;

const PREIMAGE_RE = /^[0-9a-f]{64}$/;

/**
 * One node's invoices and what happens when an HTLC reaches it: an ordinary
 * invoice settles at once; a hold invoice is "accepted" and keeps the HTLC
 * locked until `settle` (preimage released), `cancel` (payer refunded), or
 * its CLTV expiry: `finalCltv` blocks of `blockIntervalMs` after it
 * arrived, the HTLC fails back on its own, as a real node must before the
 * chain would let the payer reclaim it. State changes go to `onInvoice`
 * listeners.
 */
export class InvoiceStore {
  readonly #byHash = new Map<string, InvoiceRecord>();
  readonly #listeners = new Set<(invoice: Invoice) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly logger?: Logger,
    private readonly blockIntervalMs = BLOCK_INTERVAL_MS,
  ) {}

  /**
   * Registers a new invoice (state `open`) whose HTLCs must arrive with
   * `finalCltv` blocks to spare, carrying `paymentSecret`.
   */
  add(invoice: Invoice, finalCltv: number, paymentSecret?: string): void {
    if (this.#byHash.has(invoice.paymentHash))
      throw new LabError(
        'invalid_invoice_request',
        `an invoice with hash ${invoice.paymentHash} already exists`,
      );
    this.#byHash.set(invoice.paymentHash, { invoice, finalCltv, paymentSecret });
    this.#emit(invoice);
  }

  /**
   * A copy of the invoice, or undefined. An open invoice past its expiry is
   * reported `canceled`, as LND cancels it (nobody can pay it any more).
   */
  get(paymentHash: string): Invoice | undefined {
    const r = this.#byHash.get(paymentHash);
    if (!r) return undefined;
    const expired = r.invoice.state === 'open' && this.clock.now() >= r.invoice.expiresAt;
    return { ...r.invoice, ...(expired ? { state: 'canceled' as const } : {}) };
  }

  /**
   * Forgets `paymentHash` if its invoice expired by `now` and holds no
   * accepted HTLC (nobody can pay it any more). With `keepSettled`, a settled
   * invoice stays. An open hold invoice past its expiry goes like any unpaid
   * one: LND cancels an expired open invoice itself, hold or not, so its
   * holder need not (a paywall whose buyer never paid never does).
   * Returns the forgotten invoice, or undefined when kept.
   */
  forgetIfExpired(paymentHash: string, now: number, { keepSettled = false } = {}): Invoice | undefined {
    const r = this.#byHash.get(paymentHash);
    if (!r || r.invoice.expiresAt > now || r.invoice.state === 'accepted') return undefined;
    if (keepSettled && r.invoice.state === 'settled') return undefined;
    this.#byHash.delete(paymentHash);
    return r.invoice;
  }

  /**
   * Decides what to do with an HTLC of `amountMsat` for `paymentHash`,
   * carrying `paymentSecret`, arriving now. Without the invoice's payment
   * secret it is refused before anything else, as LND refuses it (payment
   * address mismatch): only who holds the invoice can pay it, and one who
   * only knows the hash learns nothing of the invoice's state or amount.
   */
  receive(
    paymentHash: string,
    amountMsat: number,
    paymentSecret: string | undefined,
  ): FinalDecision | Promise<FinalDecision> {
    const r = this.#byHash.get(paymentHash);
    if (!r) return fail('incorrect_payment_details', 'unknown payment hash');
    if (r.paymentSecret !== undefined && paymentSecret !== r.paymentSecret)
      return fail(
        'incorrect_payment_details',
        `the HTLC's payment secret is ${paymentSecret === undefined ? 'missing' : "not the invoice's"}`,
      );
    const inv = r.invoice;
    const now = this.clock.now();
    switch (inv.state) {
      case 'settled':
        return fail('already_paid', 'invoice already paid');
      case 'accepted':
        return fail('already_paid', 'invoice already has an accepted payment');
      case 'canceled':
        return fail('canceled', 'invoice was canceled');
      case 'open':
        break;
    }
    if (now >= inv.expiresAt)
      return fail('invoice_expired', `invoice expired at ${new Date(inv.expiresAt).toISOString()}`);
    // BOLT4: accept at least the amount, and no more than twice it (stricter than LND 0.20, which takes any overpayment).
    if (inv.amountMsat > 0 && (amountMsat < inv.amountMsat || amountMsat > 2 * inv.amountMsat))
      return fail(
        'incorrect_payment_details',
        `received ${amountMsat} msat for a ${inv.amountMsat} msat invoice`,
      );
    inv.amountPaidMsat = amountMsat;
    if (!inv.isHold) {
      inv.state = 'settled';
      inv.settledAt = now;
      this.#emit(inv);
      return { kind: 'settle', preimage: inv.preimage! };
    }
    inv.state = 'accepted';
    const decision = new Promise<FinalDecision>((resolve) => (r.resolveHold = resolve));
    this.#expireAtCltv(r);
    this.#emit(inv);
    return decision;
  }

  /** Fails the accepted HTLC back once its CLTV expiry comes, unless settled or canceled first. */
  #expireAtCltv(r: InvoiceRecord): void {
    const expiry = new AbortController();
    r.expiry = expiry;
    const ms = r.finalCltv * this.blockIntervalMs;
    void this.clock.sleep(ms, expiry.signal).then(() => {
      if (r.invoice.state !== 'accepted' || r.expiry !== expiry) return;
      this.logger?.warn(
        { paymentHash: r.invoice.paymentHash, blocks: r.finalCltv },
        'hold invoice reached its HTLC expiry while accepted: failed back',
      );
      this.#release(r, {
        kind: 'fail',
        reason: 'timeout',
        message: `the payee held the HTLC until its CLTV expiry (${r.finalCltv} blocks); failed back`,
      });
    });
  }

  /** Cancels the invoice and hands `decision` to the HTLC waiting on it, if any. */
  #release(r: InvoiceRecord, decision: FinalDecision): void {
    r.invoice.state = 'canceled';
    // The HTLC went back: nothing was paid (LND reports no amount paid on a canceled invoice either).
    delete r.invoice.amountPaidMsat;
    const resolve = r.resolveHold;
    delete r.resolveHold;
    r.expiry?.abort();
    delete r.expiry;
    this.#emit(r.invoice);
    resolve?.(decision);
  }

  /** Settles an accepted hold invoice with its preimage. Throws a coded LabError when there is nothing to settle. */
  settle(preimageHex: string): void {
    if (typeof preimageHex !== 'string' || !PREIMAGE_RE.test(preimageHex))
      throw new LabError('invalid_state', 'preimage must be 64 lowercase hex characters');
    const hash = hex.encode(sha256(hex.decode(preimageHex)));
    const r = this.#byHash.get(hash);
    if (!r) throw new LabError('unknown_invoice', `no invoice for the hash of this preimage (${hash})`);
    const inv = r.invoice;
    if (!inv.isHold) throw new LabError('invalid_state', `invoice ${hash} is not a hold invoice`);
    if (inv.state !== 'accepted' || !r.resolveHold)
      throw new LabError(
        'invalid_state',
        `invoice ${hash} is ${inv.state}, only an accepted one can be settled`,
      );
    inv.preimage = preimageHex;
    inv.state = 'settled';
    inv.settledAt = this.clock.now();
    const resolve = r.resolveHold;
    delete r.resolveHold;
    r.expiry?.abort();
    delete r.expiry;
    this.#emit(inv);
    resolve({ kind: 'settle', preimage: preimageHex });
  }

  /** Cancels an open or accepted invoice; an accepted HTLC fails back to the payer. */
  cancel(paymentHash: string): void {
    const r = this.#byHash.get(paymentHash);
    if (!r) throw new LabError('unknown_invoice', `no invoice with hash ${paymentHash}`);
    const inv = r.invoice;
    if (inv.state === 'settled')
      throw new LabError('invalid_state', `invoice ${paymentHash} is settled and cannot be canceled`);
    if (inv.state === 'canceled') return;
    this.#release(r, { kind: 'fail', reason: 'canceled', message: 'the payee canceled the invoice' });
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  on(listener: (invoice: Invoice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(inv: Invoice): void {
    if (this.#listeners.size === 0) return;
    const snapshot = { ...inv };
    for (const l of this.#listeners) {
      try {
        l(snapshot);
      } catch (e) {
        // A listener's bug must not break the payment that triggered it.
        this.logger?.warn({ err: e, paymentHash: inv.paymentHash }, 'onInvoice listener threw');
      }
    }
  }
}

function fail(reason: PaymentFailureReason, message: string): FinalDecision {
  return { kind: 'fail', reason, message };
}
