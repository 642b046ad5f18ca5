import { LabError } from '../errors.js';
import { assertMsat, type Msat } from '../money.js';
import type { PayOptions } from './node.js';

/**
 * What both backends check of `pay`'s options, before anything is sent:
 * null or undefined mean the defaults; anything else that is not an object
 * (a string, a number, an array) throws `invalid_payment_options` naming it,
 * rather than being read as the defaults; a `maxFeeMsat` or `amountMsat` that
 * is not a whole non-negative msat amount throws `invalid_amount`, whatever
 * the invoice (an `amountMsat` is refused even on an invoice with an amount).
 * Each backend checks `timeoutMs` itself.
 */
export function checkPayOptionsShape(opts: unknown): PayOptions {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== 'object' || Array.isArray(opts))
    throw new LabError(
      'invalid_payment_options',
      `pay options must be an object ({ maxFeeMsat?, timeoutMs?, amountMsat? }) or left out; got ${shown(opts)}`,
    );
  const o = opts as PayOptions;
  if (o.maxFeeMsat !== undefined) assertMsat(o.maxFeeMsat, 'maxFeeMsat');
  if (o.amountMsat !== undefined) assertMsat(o.amountMsat, 'amountMsat');
  return o;
}

/**
 * The amount to send, or why the caller's `amountMsat` does not fit the
 * invoice (LND's rule and words): a zero-amount invoice (`invoiceMsat`
 * undefined) is paid the caller's `amountMsat`, which must be given and not
 * 0; an invoice with an amount is paid that amount or not at all.
 */
export function amountToPay(invoiceMsat: Msat | undefined, opts: PayOptions): Msat | string {
  if (invoiceMsat === undefined) {
    if (opts.amountMsat === undefined || opts.amountMsat === 0) return 'zero-amount invoice: pass amountMsat';
    return opts.amountMsat;
  }
  if (opts.amountMsat !== undefined && opts.amountMsat !== invoiceMsat)
    return `invoice asks ${invoiceMsat} msat but amountMsat is ${opts.amountMsat}`;
  return invoiceMsat;
}

/** A value that is not an object, named for an error message (a long string cut to 40 characters). */
function shown(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `the ${typeof v} ${String(v)}`;
}
