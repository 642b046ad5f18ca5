import type { CreateHoldInvoiceRequest, Invoice } from '../node.js';
import { LndError } from './errors.js';
import type { LndRestClient } from './rest-client.js';

/** LND's refusal of an invoice whose payment hash it has already (lnd v0.20 invoices.ErrDuplicateInvoice). */
const DUPLICATE = 'invoice with payment hash already exists';

/**
 * Adds a hold invoice (AddHoldInvoice; `req.paymentHash` checked lowercase hex). Its payment hash is the caller's, so
 * LND cannot store it twice: the add is repeated after any transport fault
 * (a drop, "transport is closing" once LND may have stored it), and a repeat
 * LND refuses because the hash exists is taken as our earlier add that
 * reached LND, once the stored invoice is the one asked for (a hold invoice,
 * same hash, amount and memo). A first add refused that way, or a stored
 * invoice that differs, is someone else's invoice: `LndError('bad_request')`.
 */
export async function addHoldInvoice(
  rest: LndRestClient,
  req: CreateHoldInvoiceRequest,
  body: Record<string, unknown>,
  lookup: (hash: string) => Promise<Invoice | undefined>,
): Promise<void> {
  let tries = 0;
  try {
    await rest.call('POST', '/v2/invoices/hodl', body, { retry: 'always', onAttempt: () => tries++ });
  } catch (err) {
    if (!(err instanceof LndError) || err.lndMessage?.trim() !== DUPLICATE) throw err;
    const hash = req.paymentHash;
    const stored = tries > 1 ? await lookup(hash) : undefined;
    if (stored && isTheOneAsked(stored, req)) return;
    throw new LndError(
      'bad_request',
      `createHoldInvoice: LND already has an invoice for payment hash ${hash}` +
        (stored ? `, not this one (${describeInvoice(stored)})` : '') +
        '; a hold invoice needs a payment hash of its own.',
      { lndMessage: err.lndMessage, cause: err, ...(err.status === undefined ? {} : { status: err.status }) },
    );
  }
}

function isTheOneAsked(inv: Invoice, req: CreateHoldInvoiceRequest): boolean {
  return (
    inv.isHold &&
    inv.paymentHash === req.paymentHash &&
    inv.amountMsat === req.amountMsat &&
    inv.memo === (req.memo ?? '')
  );
}

function describeInvoice(inv: Invoice): string {
  return `${inv.isHold ? 'a hold' : 'an'} invoice of ${inv.amountMsat} msat, memo ${JSON.stringify(inv.memo)}`;
}
