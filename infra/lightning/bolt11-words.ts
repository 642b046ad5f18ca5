import type { Msat } from '../money.js';
import { LabError } from '../errors.js';

/**
 * The bit-level pieces of BOLT11: 5-bit words to bytes and integers, the
 * amount in the human-readable part, and the feature bit field.
 */

/** msat per unit of each multiplier, in tenths of a msat so pico fits (1 p = 0.1 msat). */
const DECI_MSAT_PER_UNIT: Record<string, bigint> = {
  '': 1_000_000_000_000n,
  m: 1_000_000_000n,
  u: 1_000_000n,
  n: 1_000n,
  p: 1n,
};

/** Required (even) feature bits we understand; an unknown required bit must make the reader refuse. */
const KNOWN_REQUIRED_FEATURES = new Set([8, 14, 16, 24, 48]);

/** The human-readable amount part for `msat`, using the largest multiplier that is exact. */
export function formatAmount(msat: Msat): string {
  if (!Number.isSafeInteger(msat) || msat <= 0)
    throw new LabError('bad_amount', `amount must be a positive integer msat, got ${String(msat)}`);
  const deci = BigInt(msat) * 10n;
  for (const unit of ['', 'm', 'u', 'n', 'p']) {
    const per = DECI_MSAT_PER_UNIT[unit]!;
    if (deci % per === 0n) return `${deci / per}${unit}`;
  }
  throw new LabError('bad_amount', `cannot encode ${msat} msat`); // unreachable: p always divides
}

/** Reads the amount of the human-readable part (digits and an optional multiplier) as exact msat. */
export function parseAmount(digits: string, unit: string): Msat {
  const per = DECI_MSAT_PER_UNIT[unit];
  if (per === undefined) throw new LabError('bad_amount', `unknown amount multiplier "${unit}"`);
  if (digits.startsWith('0'))
    throw new LabError('bad_amount', `amount "${digits}${unit}" has a leading zero`);
  const deci = BigInt(digits) * per;
  if (deci % 10n !== 0n)
    throw new LabError('bad_amount', `amount "${digits}${unit}" is not a whole number of millisatoshis`);
  const msat = deci / 10n;
  if (msat > BigInt(Number.MAX_SAFE_INTEGER))
    throw new LabError('bad_amount', `amount "${digits}${unit}" is too large`);
  return Number(msat);
}

/** Feature bits set in a `9` field; refuses unknown required bits. */
export function parseFeatures(data: number[]): number[] {
  const bits: number[] = [];
  const n = data.length * 5;
  for (let bit = 0; bit < n; bit++) {
    const w = data[data.length - 1 - Math.floor(bit / 5)]!;
    if ((w >> (bit % 5)) & 1) bits.push(bit);
  }
  const unknown = bits.find((b) => b % 2 === 0 && !KNOWN_REQUIRED_FEATURES.has(b));
  if (unknown !== undefined)
    throw new LabError('malformed', `invoice requires unknown feature bit ${unknown}`);
  return bits;
}

/** Packs 5-bit words into `nBytes` bytes, zero-padding the tail and dropping bits beyond it. */
export function fromWordsPadded(words: number[], nBytes: number): Uint8Array {
  const out = new Uint8Array(nBytes);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (j < nBytes) out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && j < nBytes) out[j] = (acc << (8 - bits)) & 0xff;
  return out;
}

/** Big-endian integer of `len` words from `start`. */
export function wordsToInt(words: number[], start: number, len: number): number {
  let v = 0;
  for (let k = start; k < start + len; k++) v = v * 32 + words[k]!;
  if (!Number.isSafeInteger(v)) throw new LabError('malformed', 'integer field is too large');
  return v;
}

/** Big-endian words of `v`, left-padded to `width`. */
export function intToWords(v: number, width = 0): number[] {
  const out: number[] = [];
  while (v > 0) {
    out.unshift(v % 32);
    v = Math.floor(v / 32);
  }
  while (out.length < width) out.unshift(0);
  return out;
}

/** The `9` field for a list of feature bits. */
export function featureWords(bits: number[]): number[] {
  const max = Math.max(...bits);
  const words = new Array<number>(Math.floor(max / 5) + 1).fill(0);
  for (const b of bits) words[words.length - 1 - Math.floor(b / 5)]! |= 1 << (b % 5);
  return words;
}
