import { isLabError, LabError } from '../../errors.js';
import { assertMsat, type Msat } from '../../money.js';
import { BOLT11_ERROR_CODES, decodeInvoice } from '../bolt11.js';
import type { PaymentFailureReason, PayOptions } from '../node.js';
import type { IssuedInvoice, PaymentDeps } from './payment-deps.js';

/** What `pay` reads of a payment request: its options, the amount to send, an invoice this network did not issue. */

/**
 * `pay`'s options, checked: null or undefined mean the defaults; a bad fee
 * limit or amount throws `invalid_amount`, a timeout that is not a whole
 * number of ms ≥ 1 throws `invalid_payment_options` (as LND's backend: NaN or
 * a fraction would make a deadline that never passes).
 */
export function checkPayOptions(opts: PayOptions | null | undefined): PayOptions {
  const o = opts ?? {};
  if (o.maxFeeMsat !== undefined) assertMsat(o.maxFeeMsat, 'maxFeeMsat');
  if (o.amountMsat !== undefined) assertMsat(o.amountMsat, 'amountMsat');
  const t = o.timeoutMs;
  if (t !== undefined && !(Number.isSafeInteger(t) && t >= 1))
    throw new LabError(
      'invalid_payment_options',
      `timeoutMs must be a whole number of ms, at least 1 (or left out for no limit); got ${String(t)}`,
    );
  return o;
}

/**
 * The amount to send, or why the caller's `amountMsat` does not fit the
 * invoice: LND's rule and words (`lnd/decode.ts` `resolveAmount`). An
 * invoice with an amount is paid that amount or not at all.
 */
export function payAmount(inv: Pick<IssuedInvoice, 'amountMsat'>, opts: PayOptions): Msat | string {
  if (inv.amountMsat === undefined) {
    if (opts.amountMsat === undefined || opts.amountMsat === 0) return 'zero-amount invoice: pass amountMsat';
    return opts.amountMsat;
  }
  if (opts.amountMsat !== undefined && opts.amountMsat !== inv.amountMsat)
    return `invoice asks ${inv.amountMsat} msat but amountMsat is ${opts.amountMsat}`;
  return inv.amountMsat;
}

/**
 * An invoice this network did not issue, decoded: its payee must be a node
 * of the network. Unsigned invoices are read only on a network that does not
 * sign its own (`signInvoices: false`): elsewhere anyone could write one
 * naming any node. Its payment secret goes with the HTLC, as a real payer's.
 */
export function resolveForeign(
  d: Pick<PaymentDeps, 'network' | 'nodeByPubkey' | 'signInvoices'>,
  bolt11: string,
): IssuedInvoice | { reason: PaymentFailureReason; message: string } {
  try {
    const inv = decodeInvoice(bolt11, { expectedNetwork: d.network, allowUnsigned: !d.signInvoices });
    const payee = d.nodeByPubkey.get(inv.payee);
    if (payee === undefined)
      return { reason: 'no_route', message: `payee ${inv.payee} is not in this network` };
    return {
      payee,
      paymentHash: inv.paymentHash,
      ...(inv.amountMsat !== undefined && { amountMsat: inv.amountMsat }),
      expiresAtMs: inv.expiresAtMs,
      minFinalCltv: inv.minFinalCltvExpiry,
      ...(inv.paymentSecret !== undefined && { paymentSecret: inv.paymentSecret }),
    };
  } catch (e) {
    if (!isLabError(e, ...BOLT11_ERROR_CODES)) throw e;
    return { reason: e.code === 'wrong_network' ? 'wrong_network' : 'invalid_invoice', message: e.message };
  }
}
