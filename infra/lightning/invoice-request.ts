import { LabError } from '../errors.js';
import { assertMsat, type Msat } from '../money.js';

/**
 * Longest memo an invoice carries: BOLT11's `d` field holds at most 1023
 * five-bit words, 639 bytes of UTF-8. LND refuses a longer one ("data length
 * too big to fit within 10 bits", then "memo too large" past 1,024 bytes).
 */
export const MAX_INVOICE_MEMO_BYTES = 639;
/** Longest invoice expiry: one year, LND's most (`expiry … greater than max expiry of 3.1536e+07 seconds`). */
export const MAX_INVOICE_EXPIRY_SEC = 31_536_000;
/** `expirySec` when a caller sets none (LND's and BOLT11's default). */
export const DEFAULT_INVOICE_EXPIRY_SEC = 3600;

const utf8 = new TextEncoder();

/** An invoice request's fields, checked and with their defaults. */
export interface CheckedInvoiceRequest {
  amountMsat: Msat;
  memo: string;
  expirySec: number;
}

/**
 * What both backends check of an invoice request before making anything:
 * `amountMsat` a whole non-negative msat amount (`invalid_amount`); `memo` a
 * string of at most `MAX_INVOICE_MEMO_BYTES` bytes of UTF-8 and `expirySec` a
 * whole number of seconds from 1 to `MAX_INVOICE_EXPIRY_SEC`, or left out
 * (`invalid_invoice_request`, naming the field, the limit and the value).
 * Neither backend takes more, so a request one makes the other makes too.
 */
export function checkInvoiceRequest(req: {
  amountMsat: unknown;
  memo?: unknown;
  expirySec?: unknown;
}): CheckedInvoiceRequest {
  const amountMsat = assertMsat(req?.amountMsat, 'amountMsat');
  const problem = invoiceMemoProblem(req.memo) ?? invoiceExpiryProblem(req.expirySec);
  if (problem) throw new LabError('invalid_invoice_request', problem);
  return {
    amountMsat,
    memo: (req.memo as string | undefined) ?? '',
    expirySec: (req.expirySec as number | undefined) ?? DEFAULT_INVOICE_EXPIRY_SEC,
  };
}

/** Why no backend takes this memo (undefined: it is left out or fits); `name` names it in the answer. */
export function invoiceMemoProblem(memo: unknown, name = 'memo'): string | undefined {
  if (memo === undefined) return undefined;
  if (typeof memo !== 'string') return `${name} must be a string, got ${kind(memo)}`;
  const bytes = utf8.encode(memo).length;
  if (bytes <= MAX_INVOICE_MEMO_BYTES) return undefined;
  return (
    `${name} must be at most ${MAX_INVOICE_MEMO_BYTES} bytes of UTF-8 (all a BOLT11 invoice's ` +
    `description holds), got ${bytes} bytes`
  );
}

/** Why no backend takes this expiry (undefined: it is left out or fits); `name` names it in the answer. */
export function invoiceExpiryProblem(expirySec: unknown, name = 'expirySec'): string | undefined {
  if (expirySec === undefined) return undefined;
  if (
    typeof expirySec === 'number' &&
    Number.isSafeInteger(expirySec) &&
    expirySec > 0 &&
    expirySec <= MAX_INVOICE_EXPIRY_SEC
  )
    return undefined;
  return (
    `${name} must be a whole number of seconds from 1 to ${MAX_INVOICE_EXPIRY_SEC} ` +
    `(one year, LND's most), got ${typeof expirySec === 'number' ? expirySec : kind(expirySec)}`
  );
}

/** A value that is not what was asked, named by its kind (`null`, `a string`). */
function kind(v: unknown): string {
  return v === null ? 'null' : `a ${typeof v}`;
}
