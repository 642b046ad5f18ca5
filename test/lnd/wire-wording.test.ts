/**
 * An LND answer of another shape than LND's REST proxy sends fails as
 * bad_response naming the call, the field as it is written and what was
 * expected, in the lab's plain words.
 */
import { describe, expect, it } from 'vitest';
import { lndAddInvoiceSchema, parseWire } from '../../infra/lightning/lnd/wire.js';

describe('an LND answer of another shape', () => {
  it.each([
    [
      'a number for the payment request',
      { r_hash: 'AA==', payment_request: 5, add_index: true },
      'AddInvoice: unexpected response from LND at payment_request: expected text, got 5; and 1 more',
    ],
    [
      'true for an int64',
      { r_hash: 'AA==', payment_request: 'lnbcrt1', add_index: true },
      'AddInvoice: unexpected response from LND at add_index: expected text or a number, got true',
    ],
    [
      'a list for the answer',
      [],
      'AddInvoice: unexpected response from LND at the top level: expected an object (key: value entries), got a list',
    ],
  ])('%s is bad_response naming the field in plain words', (_what, answer, message) => {
    expect(() => parseWire(lndAddInvoiceSchema, answer, 'AddInvoice')).toThrow(
      expect.objectContaining({ code: 'bad_response', message }),
    );
  });
});
