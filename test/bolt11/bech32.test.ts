import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { bech32Decode, bech32Encode } from '../../infra/lightning/bech32.js';
import { createRng } from '../../infra/random.js';

/** BIP-173's valid bech32 strings. */
const VALID = [
  'A12UEL5L',
  'a12uel5l',
  'an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs',
  'abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw',
  `11${'q'.repeat(82)}c8247j`,
  'split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w',
  '?1ezyfcl',
];

/** BIP-173's invalid strings (bar the 90-character limit, which BOLT11 lifts), each with what is wrong. */
const INVALID: [string, string][] = [
  ['\x201nwldj5', 'a space in the prefix'],
  ['\x7f1axkwrx', 'DEL in the prefix'],
  ['pzry9x0s0muk', 'no separator'],
  ['1pzry9x0s0muk', 'an empty prefix'],
  ['x1b4n0q5v', 'b, outside the alphabet'],
  ['li1dgmt3', 'a data part shorter than the checksum'],
  ['de1lg7wt\xff', 'a character beyond ASCII'],
  ['A1G7SGD8', 'a checksum computed with the uppercase prefix'],
  ['10a06t8', 'an empty prefix before a valid-looking checksum'],
  ['1qzzfhee', 'an empty prefix, short'],
  ['A12uEL5L', 'mixed case'],
];

const isChecksum = (f: () => unknown): boolean | 'ok' => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return /checksum/i.test((e as Error).message);
  }
};

describe('bech32 for BOLT11', () => {
  it.each(VALID)('decodes %s and encodes it back (lowercase)', (s) => {
    const { prefix, words } = bech32Decode(s);
    expect(bech32Encode(prefix, words)).toBe(s.toLowerCase());
  });

  it.each(INVALID)('refuses %j (%s)', (s) => {
    expect(() => bech32Decode(s)).toThrow(Error);
  });

  it('says "checksum" for a wrong checksum and only then', () => {
    expect(isChecksum(() => bech32Decode('a12uel5m'))).toBe(true);
    expect(isChecksum(() => bech32Decode('x1b4n0q5v'))).toBe(false);
    expect(isChecksum(() => bech32Decode('A12uEL5L'))).toBe(false);
  });

  it('refuses to encode a word outside 0..31 or an empty prefix', () => {
    expect(() => bech32Encode('lnbc', [0, 32])).toThrow('bech32 word 1 is 32, not 0..31');
    expect(() => bech32Encode('lnbc', [1.5])).toThrow('bech32 word 0 is 1.5, not 0..31');
    expect(() => bech32Encode('', [0])).toThrow('bech32 prefix is empty');
  });

  it('agrees with @scure/base on 2,000 seeded strings and every one-character change of each', () => {
    const rng = createRng('bech32');
    let checked = 0;
    for (let n = 0; n < 2_000; n++) {
      const prefix = `ln${['bc', 'tb', 'bcrt', 'sb'][rng.int(4)]}${rng.int(3) === 0 ? '' : String(1 + rng.int(9999))}`;
      const words = Array.from({ length: rng.int(700) }, () => rng.int(32));
      const s = bech32Encode(prefix, words);
      expect(s).toBe(bech32.encode(prefix, words, false));
      const at = rng.int(s.length);
      const other = 'qpzry9x8gf2tvdw0s3jn54khce6mua7lQ1!'[rng.int(35)]!;
      const changed = s.slice(0, at) + other + s.slice(at + 1);
      for (const t of [s, changed, s.toUpperCase()]) {
        const ours = isChecksum(() => bech32Decode(t));
        expect(ours).toBe(isChecksum(() => bech32.decode(t as `${string}1${string}`, false)));
        if (ours === 'ok') expect(bech32Decode(t)).toEqual(bech32.decode(t as `${string}1${string}`, false));
        checked++;
      }
    }
    expect(checked).toBe(6_000);
  });
});
