import { sha256 } from '@noble/hashes/sha2.js';
import { bech32, hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  decodeInvoice,
  encodeInvoice,
  encodeUnsignedInvoice,
  formatAmount,
  type InvoiceFields,
  BOLT11_ERROR_CODES,
} from '../../infra/lightning/bolt11.js';
import { nobleSecp, tinySecp } from '../../infra/lightning/secp.js';
import { INVALID, SPEC_PAYEE, SPEC_PRIVATE_KEY, VALID } from './spec-vectors.js';
import { isLabError } from '../../infra/errors.js';

const key = hex.decode(SPEC_PRIVATE_KEY);
const otherKey = hex.decode('11'.repeat(32));
const HASH = 'ab'.repeat(32);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isLabError(e, ...BOLT11_ERROR_CODES)) return e.code;
    throw e;
  }
  return undefined;
}

describe('decodeInvoice on the BOLT11 spec examples', () => {
  for (const v of VALID) {
    it(`reads ${v.name}`, () => {
      const d = decodeInvoice(v.invoice);
      expect(d.network).toBe(v.network);
      expect(d.amountMsat).toBe(v.amountMsat);
      expect(d.paymentHash).toBe(v.paymentHash);
      expect(d.payee).toBe(SPEC_PAYEE);
      expect(d.timestampSec).toBe(v.timestampSec);
      expect(d.expirySec).toBe(v.expirySec);
      expect(d.expiresAtMs).toBe((v.timestampSec + v.expirySec) * 1000);
      expect(d.minFinalCltvExpiry).toBe(v.minFinalCltvExpiry);
      expect(d.description).toBe(v.description);
      expect(d.descriptionHash).toBe(
        v.hashedDescription === undefined
          ? undefined
          : hex.encode(sha256(new TextEncoder().encode(v.hashedDescription))),
      );
      expect(d.paymentSecret).toBe(v.paymentSecret);
      if (v.features) expect(d.features).toEqual(v.features);
      expect(d.signed).toBe(true);
    });
  }

  for (const v of INVALID) {
    it(`refuses ${v.name} with ${v.code}`, () => {
      expect(codeOf(() => decodeInvoice(v.invoice))).toBe(v.code);
    });
  }

  it('recovers the same payee with the pure-JS backend', () => {
    for (const v of VALID) expect(decodeInvoice(v.invoice, { secp: nobleSecp }).payee).toBe(SPEC_PAYEE);
  });
});

describe('encodeInvoice', () => {
  const base: InvoiceFields = {
    network: 'regtest',
    amountMsat: 123_456,
    paymentHash: HASH,
    paymentSecret: 'cd'.repeat(32),
    description: 'a forecast',
    timestampSec: 1_767_225_600,
    expirySec: 600,
    minFinalCltvExpiry: 80,
  };

  it('reproduces the spec example byte for byte from the same fields and key', () => {
    const v = VALID[1]!; // "$3 for a cup of coffee": deterministic RFC 6979 signature
    const made = encodeInvoice(
      {
        network: 'mainnet',
        amountMsat: v.amountMsat!,
        paymentHash: v.paymentHash,
        description: v.description!,
        timestampSec: v.timestampSec,
        expirySec: 60,
        minFinalCltvExpiry: 18,
        features: [],
      },
      key,
    );
    // The spec omits `c` when it is 18; ours always writes it (as LND does), so compare decoded fields.
    const a = decodeInvoice(made);
    const b = decodeInvoice(v.invoice);
    expect({ ...a, paymentRequest: '' }).toEqual({ ...b, paymentRequest: '' });
  });

  it('round-trips every field and recovers the signer', () => {
    const d = decodeInvoice(encodeInvoice(base, key), { expectedNetwork: 'regtest' });
    expect(d).toMatchObject({
      network: 'regtest',
      amountMsat: 123_456,
      paymentHash: HASH,
      paymentSecret: 'cd'.repeat(32),
      description: 'a forecast',
      payee: SPEC_PAYEE,
      timestampSec: 1_767_225_600,
      expirySec: 600,
      expiresAtMs: (1_767_225_600 + 600) * 1000,
      minFinalCltvExpiry: 80,
      features: [8, 14, 17, 25],
    });
    expect(d.paymentRequest.startsWith('lnbcrt1234560p1')).toBe(true);
  });

  it('signs the same with the WASM and the pure-JS backend', () => {
    expect(encodeInvoice(base, key, tinySecp)).toBe(encodeInvoice(base, key, nobleSecp));
  });

  const amounts: [string, number, string][] = [
    ['a whole bitcoin uses no multiplier', 100_000_000_000, '1'],
    ['a millibitcoin uses m', 100_000_000, '1m'],
    ['2500 microbitcoin uses u', 250_000_000, '2500u'],
    ['one satoshi is 10n', 1000, '10n'],
    ['100 msat is 1n', 100, '1n'],
    ['one millisatoshi needs pico: 10p', 1, '10p'],
    ['an odd msat amount stays exact in pico', 123_456_789, '1234567890p'],
  ];
  for (const [name, msat, text] of amounts) {
    it(`${name}`, () => {
      expect(formatAmount(msat)).toBe(text);
      const pr = encodeInvoice({ ...base, amountMsat: msat }, key);
      expect(pr.startsWith(`lnbcrt${text}1`)).toBe(true);
      expect(decodeInvoice(pr).amountMsat).toBe(msat);
    });
  }

  const prefixes: [InvoiceFields['network'], string][] = [
    ['mainnet', 'lnbc'],
    ['testnet', 'lntb'],
    ['signet', 'lntbs'],
    ['regtest', 'lnbcrt'],
    ['simnet', 'lnsb'],
  ];
  for (const [network, prefix] of prefixes) {
    it(`writes ${prefix} for ${network} and reads it back`, () => {
      const pr = encodeInvoice({ ...base, network, amountMsat: undefined }, key);
      expect(pr.startsWith(`${prefix}1`)).toBe(true);
      expect(decodeInvoice(pr).network).toBe(network);
    });
  }

  it('keeps descriptions beyond the 90-character bech32 limit', () => {
    const description = 'x'.repeat(600);
    expect(decodeInvoice(encodeInvoice({ ...base, description }, key)).description).toBe(description);
  });

  it('refuses bad input with a code', () => {
    expect(codeOf(() => encodeInvoice({ ...base, amountMsat: 1.5 }, key))).toBe('bad_amount');
    expect(codeOf(() => encodeInvoice({ ...base, amountMsat: 0 }, key))).toBe('bad_amount');
    expect(codeOf(() => encodeInvoice({ ...base, paymentHash: 'zz' }, key))).toBe('malformed');
    expect(codeOf(() => encodeInvoice({ ...base, description: undefined }, key))).toBe('missing_field');
    expect(codeOf(() => encodeInvoice(base, new Uint8Array(32)))).toBe('malformed');
  });
});

describe('decodeInvoice checks', () => {
  const fields: InvoiceFields = {
    network: 'regtest',
    amountMsat: 50_000,
    paymentHash: HASH,
    description: 'q',
    timestampSec: 1_767_225_600,
  };

  it('refuses an invoice for another network when one is expected', () => {
    const pr = encodeInvoice({ ...fields, network: 'mainnet' }, key);
    expect(codeOf(() => decodeInvoice(pr, { expectedNetwork: 'regtest' }))).toBe('wrong_network');
  });

  it('refuses an unknown prefix', () => {
    const { words } = bech32.decode(encodeInvoice(fields, key) as `${string}1${string}`, false);
    expect(codeOf(() => decodeInvoice(bech32.encode('lnxy', words, false)))).toBe('unknown_network');
  });

  it('refuses a tampered amount when the invoice names its payee', () => {
    const pr = encodeInvoice({ ...fields, includePayeeKey: true }, key);
    const { words } = bech32.decode(pr as `${string}1${string}`, false);
    const forged = bech32.encode('lnbcrt1u', words, false); // 100,000 msat instead of 50,000
    expect(codeOf(() => decodeInvoice(forged))).toBe('bad_signature');
    expect(decodeInvoice(forged, { verify: false }).amountMsat).toBe(100_000);
  });

  it('recovers a different payee from a tampered invoice without an n field', () => {
    const { words } = bech32.decode(encodeInvoice(fields, key) as `${string}1${string}`, false);
    const forged = bech32.encode('lnbcrt1u', words, false);
    expect(decodeInvoice(forged).payee).not.toBe(SPEC_PAYEE);
  });

  it('checks the signature against an n field written by another key', () => {
    const signer = tinySecp.publicKey(otherKey);
    const pr = encodeInvoice({ ...fields, includePayeeKey: true }, key);
    expect(decodeInvoice(pr).payee).toBe(SPEC_PAYEE);
    const forged = encodeUnsignedInvoice({ ...fields }, signer);
    expect(codeOf(() => decodeInvoice(forged))).toBe('bad_signature');
  });

  it('reads an unsigned simnet invoice only when allowed, and says it is unsigned', () => {
    const pub = tinySecp.publicKey(key);
    const pr = encodeUnsignedInvoice(fields, pub);
    expect(codeOf(() => decodeInvoice(pr))).toBe('bad_signature');
    const d = decodeInvoice(pr, { allowUnsigned: true });
    expect(d).toMatchObject({ payee: SPEC_PAYEE, signed: false, amountMsat: 50_000, paymentHash: HASH });
  });

  it('refuses a missing payment hash', () => {
    const pr = encodeInvoice(fields, key);
    const { prefix, words } = bech32.decode(pr as `${string}1${string}`, false);
    const body = words.slice(0, words.length - 104);
    // Turn the `p` tag (1) into an unknown tag (3): the field is skipped, so the hash is missing.
    body[7] = 3;
    const mangled = bech32.encode(prefix, body.concat(words.slice(-104)), false);
    expect(codeOf(() => decodeInvoice(mangled))).toBe('missing_field');
  });

  it('refuses garbage of every shape with a coded BOLT 11 LabError, never a crash', () => {
    for (const junk of [
      '',
      'lnbc',
      'lnbc1',
      'hello world',
      'lnbcrt1qqqqqq',
      '1'.repeat(5000),
      42 as unknown as string,
    ]) {
      expect(codeOf(() => decodeInvoice(junk))).toBeTypeOf('string');
    }
  });
});
