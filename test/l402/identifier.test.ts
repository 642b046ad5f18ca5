import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeIdentifier, encodeIdentifier, isL402Error } from '../../infra/l402/index.js';

const bytes32 = (fill: number) => new Uint8Array(32).fill(fill);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isL402Error(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('identifier', () => {
  it('encodes version 0 big-endian, then the payment hash, then the token id (66 bytes)', () => {
    const id = encodeIdentifier({ paymentHash: bytes32(0xaa), tokenId: bytes32(0xbb) });
    expect(id.length).toBe(66);
    expect(Buffer.from(id).toString('hex')).toBe('0000' + 'aa'.repeat(32) + 'bb'.repeat(32));
  });

  it('round-trips any hash and token id', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (h, t) => {
          const d = decodeIdentifier(encodeIdentifier({ paymentHash: h, tokenId: t }));
          expect(d.version).toBe(0);
          expect(Buffer.from(d.paymentHash).equals(Buffer.from(h))).toBe(true);
          expect(Buffer.from(d.tokenId).equals(Buffer.from(t))).toBe(true);
        },
      ),
    );
  });

  it.each([
    ['version 1', Uint8Array.from([0, 1, ...bytes32(1), ...bytes32(2)]), 'unknown_version'],
    [
      'version 256 (a little-endian 1)',
      Uint8Array.from([1, 0, ...bytes32(1), ...bytes32(2)]),
      'unknown_version',
    ],
    ['65 bytes', Uint8Array.from([0, 0, ...bytes32(1), ...bytes32(2)]).slice(0, 65), 'malformed_identifier'],
    ['67 bytes', Uint8Array.from([0, 0, ...bytes32(1), ...bytes32(2), 9]), 'malformed_identifier'],
    ['one byte', Uint8Array.from([0]), 'malformed_identifier'],
    ['nothing', new Uint8Array(0), 'malformed_identifier'],
  ])('decoding %s fails with %s', (_name, input, code) => {
    expect(codeOf(() => decodeIdentifier(input))).toBe(code);
  });

  it('refuses to encode fields of the wrong size', () => {
    expect(codeOf(() => encodeIdentifier({ paymentHash: new Uint8Array(31), tokenId: bytes32(0) }))).toBe(
      'malformed_identifier',
    );
    expect(codeOf(() => encodeIdentifier({ paymentHash: bytes32(0), tokenId: new Uint8Array(33) }))).toBe(
      'malformed_identifier',
    );
  });

  it('any byte string decodes or fails with a coded L402Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        expect(['no error', 'unknown_version', 'malformed_identifier']).toContain(
          codeOf(() => decodeIdentifier(b)),
        );
      }),
    );
  });
});
