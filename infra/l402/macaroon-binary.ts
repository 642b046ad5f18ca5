import { LabError } from '../errors.js';
import type { L402Error } from './errors.js';
/**
 * The libmacaroons V2 binary format, exactly as gopkg.in/macaroon.v2 writes it
 * (first-party caveats only):
 *
 *   0x02 [loc] id EOS { id EOS }* EOS sig
 *
 * where every field is a packet `varint(tag) varint(len) data` and EOS is the
 * single byte 0x00. The parser is strict: one encoding per macaroon, so a
 * flipped byte can never decode to the same token.
 */

/** Packet tags of the V2 format. */
export const TAG = { eos: 0, location: 1, identifier: 2, vid: 4, signature: 6 } as const;
/** V2 format version byte. */
export const V2 = 2;
/** HMAC-SHA256 output length. */
export const SIGNATURE_LENGTH = 32;
/** Upper bound on an encoded macaroon we agree to parse (headers are far smaller). */
export const MAX_MACAROON_BYTES = 64 * 1024;
/**
 * Most first-party caveats a macaroon may carry: `decodeV2` refuses more, and
 * `Macaroon.addFirstPartyCaveat` refuses to add one past it, so we never mint
 * a token we would refuse. The verifier computes one HMAC a caveat before it
 * can tell a forged token from a real one; this bounds that work. A chain of
 * copies each setting every limit ends at 56 (7 at minting, then 7 delegations
 * of 7 each, the 8th `max_calls` ending it); see docs/l402.md.
 */
export const MAX_CAVEATS = 64;

/** The fields of a first-party macaroon, as raw bytes. */
export interface MacaroonFields {
  location: Uint8Array;
  identifier: Uint8Array;
  caveats: Uint8Array[];
  signature: Uint8Array;
}

/** Serializes `fields` to V2 binary. */
export function encodeV2({ location, identifier, caveats, signature }: MacaroonFields): Uint8Array {
  let size = 1 + (location.length > 0 ? packetSize(location) : 0) + packetSize(identifier) + 1;
  for (const cav of caveats) size += packetSize(cav) + 1;
  size += 1 + packetSize(signature);
  const w = { out: new Uint8Array(size), pos: 0 };
  w.out[w.pos++] = V2;
  if (location.length > 0) packet(w, TAG.location, location);
  packet(w, TAG.identifier, identifier);
  w.out[w.pos++] = TAG.eos;
  for (const cav of caveats) {
    packet(w, TAG.identifier, cav);
    w.out[w.pos++] = TAG.eos;
  }
  w.out[w.pos++] = TAG.eos;
  packet(w, TAG.signature, signature);
  return w.out;
}

/** Parses V2 binary; throws L402Error('bad_macaroon') naming the first problem and its offset. */
export function decodeV2(data: Uint8Array): MacaroonFields {
  if (!(data instanceof Uint8Array)) throw bad('macaroon must be bytes');
  if (data.length > MAX_MACAROON_BYTES) {
    throw bad(`macaroon is ${data.length} bytes, more than the ${MAX_MACAROON_BYTES} accepted`);
  }
  const r = new Reader(data);
  if (data.length === 0) throw bad('macaroon is empty');
  const version = r.byte();
  if (version !== V2) throw bad(`unsupported macaroon format version ${version} (only V2 = 2)`);

  // Header section: optional location, then the identifier, then EOS.
  let location: Uint8Array = new Uint8Array(0);
  let tag = r.varint('tag');
  if (tag === TAG.location) {
    location = r.field('location');
    if (location.length === 0) throw bad('empty location packet (Go omits the field instead)', r.pos);
    tag = r.varint('tag');
  }
  if (tag !== TAG.identifier) throw bad(`expected identifier packet (tag 2), got tag ${tag}`, r.pos);
  const identifier = r.field('identifier');
  r.eos('after the identifier');

  // Caveat sections until an empty section; past MAX_CAVEATS they are only counted.
  const caveats: Uint8Array[] = [];
  let count = 0;
  for (;;) {
    tag = r.varint('tag');
    if (tag === TAG.eos) break;
    if (tag === TAG.location) throw bad('caveat locations (third-party caveats) are not supported', r.pos);
    if (tag !== TAG.identifier) throw bad(`expected caveat identifier (tag 2), got tag ${tag}`, r.pos);
    const cav = r.field('caveat', count < MAX_CAVEATS);
    tag = r.varint('tag');
    if (tag === TAG.vid) throw bad('third-party caveats (verification id) are not supported', r.pos);
    if (tag !== TAG.eos) throw bad(`expected end of caveat section, got tag ${tag}`, r.pos);
    if (++count <= MAX_CAVEATS) caveats.push(cav);
  }
  if (count > MAX_CAVEATS) {
    throw bad(
      `macaroon carries ${count} caveats, more than the ${MAX_CAVEATS} this reader accepts; attenuate from a copy with fewer`,
    );
  }

  tag = r.varint('tag');
  if (tag !== TAG.signature) throw bad(`expected signature packet (tag 6), got tag ${tag}`, r.pos);
  const signature = r.field('signature');
  if (signature.length !== SIGNATURE_LENGTH) {
    throw bad(`signature must be ${SIGNATURE_LENGTH} bytes, got ${signature.length}`, r.pos);
  }
  if (!r.done()) throw bad(`${data.length - r.pos} bytes of trailing garbage after the signature`, r.pos);
  return { location, identifier, caveats, signature };
}

/** Where `encodeV2` writes: a buffer sized beforehand and the next position. */
interface Writer {
  out: Uint8Array;
  pos: number;
}

/** Bytes of a packet holding `data` (every tag is below 0x80: one byte). */
function packetSize(data: Uint8Array): number {
  return 1 + varintSize(data.length) + data.length;
}

function varintSize(n: number): number {
  let size = 1;
  for (; n >= 0x80; n = Math.floor(n / 128)) size++;
  return size;
}

function packet(w: Writer, tag: number, data: Uint8Array): void {
  varint(w, tag);
  varint(w, data.length);
  w.out.set(data, w.pos);
  w.pos += data.length;
}

function varint(w: Writer, n: number): void {
  while (n >= 0x80) {
    w.out[w.pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  w.out[w.pos++] = n;
}

function bad(message: string, offset?: number): L402Error {
  return new LabError('bad_macaroon', offset === undefined ? message : `${message} (at byte ${offset})`);
}

/** A bounds-checked cursor over untrusted bytes. */
class Reader {
  pos = 0;
  constructor(private readonly data: Uint8Array) {}

  done(): boolean {
    return this.pos === this.data.length;
  }

  byte(): number {
    const b = this.data[this.pos];
    if (b === undefined) throw bad('truncated macaroon', this.pos);
    this.pos++;
    return b;
  }

  /** Unsigned LEB128 as Go's binary.Uvarint, but minimal encodings only and at most 4 bytes. */
  varint(what: string): number {
    const start = this.pos;
    let n = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = this.byte();
      n += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (b === 0 && shift > 0) throw bad(`non-minimal varint for ${what}`, start);
        return n;
      }
    }
    throw bad(`varint for ${what} too long`, start);
  }

  /** The next length-prefixed field; skipped (an empty array returned) when `keep` is false. */
  field(what: string, keep = true): Uint8Array {
    const len = this.varint(`${what} length`);
    if (len > this.data.length - this.pos) {
      throw bad(`${what} length ${len} exceeds the ${this.data.length - this.pos} bytes left`, this.pos);
    }
    const out = keep ? this.data.slice(this.pos, this.pos + len) : new Uint8Array(0);
    this.pos += len;
    return out;
  }

  eos(where: string): void {
    const tag = this.varint('tag');
    if (tag !== TAG.eos) throw bad(`expected end of section ${where}, got tag ${tag}`, this.pos);
  }
}
