import { bech32, hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { bech32Encode } from '../../infra/lightning/bech32.js';
import { decodeInvoice, MAX_INVOICE_LENGTH } from '../../infra/lightning/bolt11.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { alicePaysBob, settle } from '../simnet/helpers.js';

const PAYEE = '02' + '11'.repeat(32);
const HASH = '33'.repeat(32);

/**
 * An unsigned regtest invoice of exactly `length` characters: a payment hash,
 * the payee in `n`, and unknown fields (tag 0, skipped by readers) padding it.
 */
function invoiceOfLength(length: number): string {
  const field = (tag: number, data: number[]) => [tag, data.length >> 5, data.length & 31, ...data];
  const words = [
    ...new Array<number>(7).fill(0),
    ...field(1, bech32.toWords(hex.decode(HASH))),
    ...field(19, bech32.toWords(hex.decode(PAYEE))),
  ];
  const fixed = 'lnbcrt1'.length + words.length + 104 + 6;
  let pad = length - fixed;
  while (pad > 0) {
    const n = Math.min(1023, pad - 3);
    words.push(...field(0, new Array<number>(n).fill(7)));
    pad -= n + 3;
  }
  const s = bech32Encode('lnbcrt', words.concat(new Array<number>(104).fill(0)));
  expect(s.length).toBe(length);
  return s;
}

const TOO_LONG =
  "payment request is 7090 characters, longer than the 7089 a Lightning node accepts (LND's limit): it is not an invoice";

describe('payment requests longer than LND’s 7,089 characters (zpay32 maxInvoiceLength)', () => {
  it('decodes one of exactly 7,089 characters, even behind a "lightning:" prefix', () => {
    expect(MAX_INVOICE_LENGTH).toBe(7089);
    const s = invoiceOfLength(7089);
    expect(decodeInvoice(s, { allowUnsigned: true })).toMatchObject({ paymentHash: HASH, payee: PAYEE });
    expect(decodeInvoice(`lightning:${s}`, { allowUnsigned: true }).paymentHash).toBe(HASH);
  });

  it('refuses one of 7,090 characters as malformed, naming its length and the limit', () => {
    expect(() => decodeInvoice(invoiceOfLength(7090), { allowUnsigned: true })).toThrow(
      expect.objectContaining({ code: 'malformed', message: TOO_LONG }),
    );
  });

  it('refuses an 8,000,007-character string as malformed before reading it, and the simnet refuses to pay a 7,090-character one (invalid_invoice), sending nothing', async () => {
    const huge = `lnbcrt1${'q'.repeat(8_000_000)}`;
    expect(() => decodeInvoice(huge)).toThrow(
      expect.objectContaining({
        code: 'malformed',
        message: TOO_LONG.replace('7090', '8000007'),
      }),
    );
    const { clock, alice } = alicePaysBob({ signInvoices: false, latency: fixedLatency(5) });
    const p = await settle(clock, alice.pay(invoiceOfLength(7090)));
    expect([p.status, p.attempts, p.failure]).toEqual([
      'failed',
      0,
      { reason: 'invalid_invoice', message: TOO_LONG },
    ]);
  });
});
