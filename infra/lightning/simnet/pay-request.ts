import { isLabError, LabError } from '../../errors.js';
import { BOLT11_ERROR_CODES, decodeInvoice } from '../bolt11.js';
import { DEFAULT_PAY_TIMEOUT_MS, type PaymentFailureReason, type PayOptions } from '../node.js';
import { checkPayOptionsShape } from '../pay-options.js';
import type { IssuedInvoice, PaymentDeps } from './payment-deps.js';

/** What `pay` reads of a payment request: its options, an invoice this network did not issue. */

/** `pay`'s options, checked: a timeout it is given, else `DEFAULT_PAY_TIMEOUT_MS`. */
export type CheckedPayOptions = PayOptions & { timeoutMs: number };

/**
 * `pay`'s options, checked as both backends check them
 * (`checkPayOptionsShape`: null or undefined mean the defaults, anything else
 * not an object throws `invalid_payment_options`, a bad fee limit or amount
 * `invalid_amount`); a timeout that is not a whole number of ms ≥ 1 throws
 * `invalid_payment_options` (LND's backend: `bad_request`; NaN or a fraction
 * would make a deadline that never passes); none means
 * `DEFAULT_PAY_TIMEOUT_MS`, as LND's adapter.
 */
export function checkPayOptions(opts: unknown): CheckedPayOptions {
  const o = checkPayOptionsShape(opts);
  const t = o.timeoutMs ?? DEFAULT_PAY_TIMEOUT_MS;
  if (!(Number.isSafeInteger(t) && t >= 1))
    throw new LabError(
      'invalid_payment_options',
      `timeoutMs must be a whole number of ms, at least 1 (or left out for the default, ${DEFAULT_PAY_TIMEOUT_MS} ms); got ${String(t)}`,
    );
  return { ...o, timeoutMs: t };
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
