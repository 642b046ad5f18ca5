/**
 * Bech32 (BIP-173) as BOLT11 uses it: no length limit, the hrp and the data
 * part in one case, a 6-character checksum. The checksum's BCH step reads
 * the generator sums from a 32-entry table (one lookup per character where
 * a bit-by-bit step tests five generators). Errors are plain `Error`s whose
 * message says "checksum" only for a checksum that does not match.
 */

const ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** The value of each ASCII character in the alphabet, -1 for the rest. */
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
/** XOR of the generators picked by the bits of each 5-bit value (the top bits of a checksum state). */
const STEP = new Int32Array(32);
for (let b = 0; b < 32; b++)
  for (let i = 0; i < 5; i++) if ((b >> i) & 1) STEP[b] = STEP[b]! ^ GENERATORS[i]!;

const CHECKSUM_CHARS = 6;

/** One BCH step: shift a 5-bit value into the 30-bit checksum state. */
function step(chk: number, value: number): number {
  return ((chk & 0x1ffffff) << 5) ^ STEP[chk >>> 25]! ^ value;
}

/** The checksum state after the expanded hrp (high bits, a zero, low bits); throws on a non-printable hrp. */
function hrpState(hrp: string): number {
  let chk = 1;
  for (let i = 0; i < hrp.length; i++) {
    const c = hrp.charCodeAt(i);
    if (c < 33 || c > 126) throw new Error(`bech32 prefix has a character outside printable ASCII`);
    chk = step(chk, c >> 5);
  }
  chk = step(chk, 0);
  for (let i = 0; i < hrp.length; i++) chk = step(chk, hrp.charCodeAt(i) & 31);
  return chk;
}

/** The final checksum value of `hrp` and the data words `words[0, end)`. */
function checksum(hrp: string, words: ArrayLike<number>, end: number): number {
  let chk = hrpState(hrp);
  for (let i = 0; i < end; i++) chk = step(chk, words[i]!);
  for (let i = 0; i < CHECKSUM_CHARS; i++) chk = step(chk, 0);
  return chk ^ 1;
}

/** Encodes lowercase `hrp` + '1' + the words and their checksum. Throws on an empty hrp or a word outside 0..31. */
export function bech32Encode(hrp: string, words: readonly number[]): string {
  if (hrp.length === 0) throw new Error('bech32 prefix is empty');
  const prefix = hrp.toLowerCase();
  const chars: string[] = new Array<string>(words.length + CHECKSUM_CHARS);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!Number.isInteger(w) || w < 0 || w > 31) throw new Error(`bech32 word ${i} is ${w}, not 0..31`);
    chars[i] = ALPHABET[w]!;
  }
  const chk = checksum(prefix, words, words.length);
  for (let i = 0; i < CHECKSUM_CHARS; i++)
    chars[words.length + i] = ALPHABET[(chk >>> (5 * (CHECKSUM_CHARS - 1 - i))) & 31]!;
  return `${prefix}1${chars.join('')}`;
}

/**
 * Decodes a bech32 string of one case into its lowercase hrp and its data
 * words (checksum removed). Throws when the string is too short, mixes
 * cases, has no separator, an unknown character, or a wrong checksum.
 */
export function bech32Decode(text: string): { prefix: string; words: number[] } {
  if (text.length < 8) throw new Error(`bech32 string is ${text.length} characters, fewer than 8`);
  const lowered = text.toLowerCase();
  if (text !== lowered && text !== text.toUpperCase())
    throw new Error('bech32 string mixes upper and lower case');
  const sep = lowered.lastIndexOf('1');
  if (sep <= 0) throw new Error('bech32 string has no prefix before a separator "1"');
  const n = lowered.length - sep - 1;
  if (n < CHECKSUM_CHARS) throw new Error(`bech32 data part is ${n} characters, fewer than 6`);
  const prefix = lowered.slice(0, sep);
  const digits: number[] = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const c = lowered.charCodeAt(sep + 1 + i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) throw new Error(`bech32 data has a character outside the alphabet at ${sep + 1 + i}`);
    digits[i] = v;
  }
  const end = n - CHECKSUM_CHARS;
  const chk = checksum(prefix, digits, end);
  for (let i = 0; i < CHECKSUM_CHARS; i++)
    if (digits[end + i] !== ((chk >>> (5 * (CHECKSUM_CHARS - 1 - i))) & 31))
      throw new Error('bech32 checksum does not match');
  digits.length = end;
  return { prefix, words: digits };
}
