import { BOLT11_ERROR_CODES, decodeInvoice, type DecodedInvoice } from '../../infra/lightning/bolt11.js';
import type { Network } from '../../infra/lightning/node.js';
import type { Msat } from '../../infra/money.js';
import type { InvoiceRejection } from './outcome.js';
import { isLabError } from '../../infra/errors.js';

/** What the buyer expects of an invoice before it pays. */
export interface InvoiceExpectations {
  /** The paying node's network: an invoice for another chain is refused. */
  network: Network;
  /** Now, on the injected clock. */
  nowMs: number;
  /** The payment hash in the macaroon's identifier: the invoice must be for the same hash. */
  tokenPaymentHash: string;
  /** The seller's advertised node key, when known. */
  expectedPayee?: string;
  /** The most the buyer accepts (the advertised price or its own ceiling, whichever is lower). */
  maxAmountMsat?: Msat;
  /** The price the 402 states: the invoice must ask exactly this amount. */
  statedPriceMsat?: Msat;
  /** The invoice must stay payable at least this long after `nowMs` (default `INVOICE_EXPIRY_MARGIN_MS`). */
  expiryMarginMs?: number;
  /** Accept the unsigned invoices a simnet built with `signInvoices: false`. */
  allowUnsigned?: boolean;
}

/** How long an invoice must still be payable when checked: payment and delivery take time. */
export const INVOICE_EXPIRY_MARGIN_MS = 30_000;

/** The verdict on one invoice. */
export type InvoiceCheck =
  | { ok: true; invoice: DecodedInvoice; amountMsat: Msat }
  | { ok: false; rejection: InvoiceRejection; reason: string; invoice?: DecodedInvoice };

/**
 * Decodes (signature verified) and checks an invoice against what the buyer
 * expects. Every way a seller could cheat before delivery is refused here,
 * so nothing is paid: another network, an amount above the quote, an amount
 * other than the price the 402 states, no amount, an invoice expired or
 * expiring within the margin, a payment hash that is not the token's, another payee.
 */
export function checkInvoice(bolt11: string, e: InvoiceExpectations): InvoiceCheck {
  let invoice: DecodedInvoice;
  try {
    invoice = decodeInvoice(bolt11, { expectedNetwork: e.network, allowUnsigned: e.allowUnsigned ?? false });
  } catch (err) {
    if (isLabError(err, ...BOLT11_ERROR_CODES)) {
      return {
        ok: false,
        rejection: err.code === 'wrong_network' ? 'wrong_network' : 'bad_invoice',
        reason: `${err.code}: ${err.message}`,
      };
    }
    return { ok: false, rejection: 'bad_invoice', reason: String(err) };
  }
  const amount = invoice.amountMsat;
  if (amount === undefined || amount <= 0) {
    return { ok: false, rejection: 'no_amount', reason: 'invoice carries no amount', invoice };
  }
  if (e.maxAmountMsat !== undefined && amount > e.maxAmountMsat) {
    return {
      ok: false,
      rejection: 'over_quoted_price',
      reason: `invoice asks ${amount} msat, above the ${e.maxAmountMsat} msat quoted or allowed`,
      invoice,
    };
  }
  if (e.statedPriceMsat !== undefined && amount !== e.statedPriceMsat) {
    return {
      ok: false,
      rejection: 'price_mismatch',
      reason: `invoice asks ${amount} msat but the 402 states a price of ${e.statedPriceMsat} msat`,
      invoice,
    };
  }
  const margin = e.expiryMarginMs ?? INVOICE_EXPIRY_MARGIN_MS;
  if (e.nowMs + margin >= invoice.expiresAtMs) {
    return {
      ok: false,
      rejection: 'expired',
      reason: `invoice expires at ${new Date(invoice.expiresAtMs).toISOString()}, less than ${margin} ms after now (${new Date(e.nowMs).toISOString()})`,
      invoice,
    };
  }
  if (invoice.paymentHash !== e.tokenPaymentHash.toLowerCase()) {
    return {
      ok: false,
      rejection: 'hash_mismatch',
      reason: `invoice pays hash ${invoice.paymentHash} but the token is for ${e.tokenPaymentHash}`,
      invoice,
    };
  }
  if (e.expectedPayee !== undefined && invoice.payee !== e.expectedPayee.toLowerCase()) {
    return {
      ok: false,
      rejection: 'wrong_payee',
      reason: `invoice pays node ${invoice.payee}, not the advertised ${e.expectedPayee}`,
      invoice,
    };
  }
  return { ok: true, invoice, amountMsat: amount };
}
