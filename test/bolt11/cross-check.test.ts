import { hex } from '@scure/base';
import fc from 'fast-check';
import { decode } from 'light-bolt11-decoder';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, encodeInvoice, type InvoiceFields } from '../../infra/lightning/bolt11.js';
import { tinySecp } from '../../infra/lightning/secp.js';

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hex.encode(b));
const secretKey = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => tinySecp.isSecretKey(k));

const fieldsArb: fc.Arbitrary<InvoiceFields> = fc.record({
  network: fc.constantFrom('mainnet', 'testnet', 'signet', 'regtest', 'simnet' as const),
  amountMsat: fc.option(
    fc.oneof(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
    {
      nil: undefined,
    },
  ),
  paymentHash: hash32,
  paymentSecret: hash32,
  description: fc.string({ maxLength: 200 }),
  timestampSec: fc.integer({ min: 0, max: 2 ** 35 - 1 }),
  expirySec: fc.integer({ min: 1, max: 10_000_000 }),
  minFinalCltvExpiry: fc.integer({ min: 1, max: 5000 }),
});

function section(sections: ReturnType<typeof decode>['sections'], name: string): unknown {
  return (sections.find((s) => s.name === name) as { value?: unknown } | undefined)?.value;
}

describe('invoices we encode, read by light-bolt11-decoder', () => {
  it('give the same fields for random invoices on every network', () => {
    fc.assert(
      fc.property(fieldsArb, secretKey, (fields, key) => {
        const pr = encodeInvoice(fields, key);
        const theirs = decode(pr);
        const ours = decodeInvoice(pr);
        expect(section(theirs.sections, 'payment_hash')).toBe(fields.paymentHash);
        expect(section(theirs.sections, 'payment_secret')).toBe(fields.paymentSecret);
        expect(section(theirs.sections, 'description')).toBe(fields.description);
        expect(section(theirs.sections, 'timestamp')).toBe(fields.timestampSec);
        expect(section(theirs.sections, 'min_final_cltv_expiry')).toBe(fields.minFinalCltvExpiry);
        expect(theirs.expiry).toBe(fields.expirySec);
        const amount = section(theirs.sections, 'amount');
        expect(amount === undefined ? undefined : Number(amount)).toBe(fields.amountMsat);
        // light-bolt11-decoder does not check signatures; ours recovers the signer.
        expect(ours.payee).toBe(hex.encode(tinySecp.publicKey(key)));
        expect(ours).toMatchObject({
          network: fields.network,
          paymentHash: fields.paymentHash,
          description: fields.description,
          timestampSec: fields.timestampSec,
          expirySec: fields.expirySec,
          minFinalCltvExpiry: fields.minFinalCltvExpiry,
        });
        expect(ours.amountMsat).toBe(fields.amountMsat);
      }),
      { numRuns: 200, seed: 402 },
    );
  });
});
