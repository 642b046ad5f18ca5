import type { Logger } from '../../log.js';
import { checkInvoiceRequest } from '../invoice-request.js';
import type { CreateInvoiceRequest } from '../node.js';
import { LndError } from './errors.js';
import type { LndRestClient } from './rest-client.js';

/** LND's invoice registry refusing a write because of the invoice's state (lnd invoices/errors.go). */
const INVOICE_STATE_REFUSAL =
  /invoice (already|not|still)|cannot (move|accept|settle)|preimage|htlc|invoice hash must|unable to locate invoice/i;

/**
 * A hold-invoice write that is safe to repeat: a retry that finds the work
 * done (`donePattern`) counts as success; LND's refusals because of the
 * invoice's state ("invoice still open") become `bad_request`. Any other error
 * (a timeout, a proxy's 502, a busy node) is thrown as it is: a fault, not a refusal.
 */
export async function idempotentWrite(
  rest: LndRestClient,
  log: Logger,
  op: string,
  path: string,
  body: unknown,
  donePattern: RegExp,
): Promise<void> {
  try {
    await rest.call('POST', path, body, { retry: 'always' });
  } catch (err) {
    if (!(err instanceof LndError) || !err.lndMessage) throw err;
    if (donePattern.test(err.lndMessage)) {
      log.debug({ op }, 'already done');
      return;
    }
    if (
      err.code === 'not_found' ||
      (err.code === 'lnd_error' && INVOICE_STATE_REFUSAL.test(err.lndMessage))
    ) {
      throw new LndError(
        err.code === 'not_found' ? 'not_found' : 'bad_request',
        `${op}: LND refused: ${err.lndMessage}`,
        {
          lndMessage: err.lndMessage,
          cause: err,
          ...(err.status === undefined ? {} : { status: err.status }),
        },
      );
    }
    throw err;
  }
}

/**
 * The common fields of an invoice request as LND's REST takes them, checked
 * first (`checkInvoiceRequest`): a memo or expiry LND would refuse is the
 * caller's `invalid_invoice_request`, as on the embedded network, never sent.
 */
export function invoiceBody(req: CreateInvoiceRequest): Record<string, unknown> {
  const { amountMsat, memo, expirySec } = checkInvoiceRequest(req);
  return { value_msat: String(amountMsat), memo, expiry: String(expirySec) };
}
