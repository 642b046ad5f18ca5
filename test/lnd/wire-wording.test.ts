/**
 * An LND answer of another shape than LND's REST proxy sends fails as
 * bad_response naming the call, the field as it is written and what was
 * expected, in the lab's plain words.
 */
import { describe, expect, it } from 'vitest';
import {
  lndAddInvoiceSchema,
  lndGetInfoSchema,
  lndPaymentSchema,
  parseWire,
} from '../../infra/lightning/lnd/wire.js';

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

describe('an LND int64, uint32 or nanosecond field LND would not write', () => {
  const invoice = { r_hash: 'AA==', payment_request: 'lnbcrt1' };
  it.each([
    ['an empty string', '', 'add_index: expected a safe integer, got ""'],
    ['hexadecimal', '0x10', 'add_index: expected a safe integer, got "0x10"'],
    ['an exponent', '1e3', 'add_index: expected a safe integer, got "1e3"'],
    ['a leading zero', '010', 'add_index: expected a safe integer, got "010"'],
    ['a space around it', ' 7', 'add_index: expected a safe integer, got " 7"'],
    ['a fraction', '1.5', 'add_index: expected a safe integer, got "1.5"'],
    ['a number past 2^53', '9007199254740993', 'add_index: expected a safe integer, got "9007199254740993"'],
  ])('an int64 written as %s is bad_response', (_what, value, problem) => {
    expect(() => parseWire(lndAddInvoiceSchema, { ...invoice, add_index: value }, 'AddInvoice')).toThrow(
      expect.objectContaining({
        code: 'bad_response',
        message: `AddInvoice: unexpected response from LND at ${problem}`,
      }),
    );
  });

  it('an int64 in LND decimal form, negative or not, reads as its number', () => {
    expect(parseWire(lndAddInvoiceSchema, { ...invoice, add_index: '-12' }, 'AddInvoice').add_index).toBe(
      -12,
    );
    expect(parseWire(lndAddInvoiceSchema, { ...invoice, add_index: '0' }, 'AddInvoice').add_index).toBe(0);
  });

  const payment = { payment_hash: 'ab', value_msat: '1000', status: 'SUCCEEDED' };
  it.each([
    ['text', 'soon', 'creation_time_ns: expected whole nanoseconds, got "soon"'],
    ['a fraction', '1.5', 'creation_time_ns: expected whole nanoseconds, got "1.5"'],
    ['a fractional number', 1.5, 'creation_time_ns: expected whole nanoseconds, got 1.5'],
  ])('a nanosecond time written as %s is bad_response, not a thrown SyntaxError', (_what, value, problem) => {
    expect(() =>
      parseWire(lndPaymentSchema, { ...payment, creation_time_ns: value }, 'TrackPayment'),
    ).toThrow(
      expect.objectContaining({
        code: 'bad_response',
        message: `TrackPayment: unexpected response from LND at ${problem}`,
      }),
    );
  });

  it('a nanosecond time past 2^53 reads as whole milliseconds', () => {
    const p = parseWire(
      lndPaymentSchema,
      { ...payment, creation_time_ns: '1733360000123456789' },
      'TrackPayment',
    );
    expect(p.creation_time_ns).toBe(1733360000123);
  });

  it.each([
    ['a fraction', 101.5, 'block_height: expected an integer, got 101.5'],
    ['a negative number', -1, 'block_height: expected at least 0'],
    ['a number past 2^32 - 1', 2 ** 32, 'block_height: expected at most 4,294,967,295'],
  ])('a block height of %s is bad_response', (_what, value, problem) => {
    expect(() =>
      parseWire(lndGetInfoSchema, { identity_pubkey: '02ab', block_height: value }, 'GetInfo'),
    ).toThrow(
      expect.objectContaining({
        code: 'bad_response',
        message: `GetInfo: unexpected response from LND at ${problem}`,
      }),
    );
  });
});
