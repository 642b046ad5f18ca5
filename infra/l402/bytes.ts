/**
 * Byte helpers shared by the codec files: hex and base64 with strict
 * validation (Node's own decoders silently skip bad characters, which would
 * let a corrupted token decode to something else).
 */
import { timingSafeEqual } from 'node:crypto';
import { type L402ErrorCode } from './errors.js';
import { LabError } from '../errors.js';

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;
const B64_RE = /^[A-Za-z0-9+/\-_]*={0,2}$/;
const B64_STD_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const B64_URL_RE = /^[A-Za-z0-9\-_]*={0,2}$/;
const EQ = 0x3d;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Decodes hex (either case); `expectedLength` in bytes when given. Throws L402Error(`code`). */
export function fromHex(hex: string, what: string, code: L402ErrorCode, expectedLength?: number): Uint8Array {
  if (typeof hex !== 'string' || !HEX_RE.test(hex)) {
    throw new LabError(code, `${what} is not hex: ${preview(hex)}`);
  }
  const out = new Uint8Array(Buffer.from(hex, 'hex'));
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LabError(code, `${what} must be ${expectedLength} bytes, got ${out.length}`);
  }
  return out;
}

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Decodes base64, standard or URL-safe, padded or not. Rejects characters
 * outside the alphabet, mixed alphabets, impossible lengths and non-canonical
 * trailing bits, so one token has exactly one text form per alphabet.
 */
export function fromBase64(text: string, what: string, code: L402ErrorCode): Uint8Array {
  // One alphabet per text: a text of either alphabet passes one test, a mixed one neither.
  if (typeof text !== 'string' || !(B64_STD_RE.test(text) || B64_URL_RE.test(text))) {
    if (typeof text === 'string' && B64_RE.test(text))
      throw new LabError(code, `${what} mixes standard and URL-safe base64`);
    throw new LabError(code, `${what} is not base64: ${preview(text)}`);
  }
  let bodyLength = text.length;
  while (bodyLength > 0 && text.charCodeAt(bodyLength - 1) === EQ) bodyLength--;
  const padding = text.length - bodyLength;
  if (bodyLength % 4 === 1 || (padding > 0 && text.length % 4 !== 0)) {
    throw new LabError(code, `${what} has an impossible base64 length ${text.length}`);
  }
  // The last character's spare bits (4 after 2 characters of a group, 2 after 3)
  // must be zero; otherwise another string means the same bytes.
  const spare = SPARE_BITS[bodyLength % 4]!;
  if (spare !== 0 && (b64Value(text.charCodeAt(bodyLength - 1)) & spare) !== 0) {
    throw new LabError(code, `${what} is not canonical base64`);
  }
  // Node's base64 decoder reads both alphabets, padded or not (the text is checked above).
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Spare-bit mask of the last character, by the body's length mod 4 (1 is refused before). */
const SPARE_BITS = [0, 0, 0x0f, 0x03];

/** The 6-bit value of a base64 character of either alphabet (the caller checked the alphabet). */
function b64Value(c: number): number {
  if (c >= 65 && c <= 90) return c - 65; // A-Z
  if (c >= 97 && c <= 122) return c - 71; // a-z
  if (c >= 48 && c <= 57) return c + 4; // 0-9
  return c === 43 || c === 45 ? 62 : 63; // + or -, / or _
}

/** Constant-time equality of two byte strings (false on different lengths). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A short printable preview of untrusted input for error messages. */
export function preview(value: unknown, max = 40): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
  return JSON.stringify(cut);
}
