/**
 * A first-party macaroon on node:crypto: mint, attenuate with first-party
 * caveats, serialize (V2 binary, base64) and check the HMAC chain. Instances
 * are immutable; adding a caveat returns a new macaroon.
 */
import { createHmac } from 'node:crypto';
import { bytesEqual, fromBase64, toBase64 } from './bytes.js';
import { decodeV2, encodeV2, MAX_CAVEATS } from './macaroon-binary.js';
import { LabError } from '../errors.js';

const KEY_GENERATOR = Buffer.from('macaroons-key-generator', 'utf8');
const utf8 = new TextEncoder();
// fatal for the location; ignoreBOM: keep a leading U+FEFF so decode → encode
// gives back the same bytes. Caveats are bytes (see caveat-reader.ts): their
// text form is for display and replaces what is not UTF-8.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The macaroon signing key derived from a root key, as libmacaroons does. */
export function deriveMacaroonKey(rootKey: Uint8Array): Uint8Array {
  return hmac(KEY_GENERATOR, rootKey);
}

/** One HMAC-SHA256. */
export function hmac(key: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(message).digest());
}

/** A first-party macaroon (libmacaroons V2 compatible). */
export class Macaroon {
  /** Location hint (not signed); '' when absent. */
  readonly location: string;
  readonly #identifier: Uint8Array;
  readonly #caveats: readonly string[];
  readonly #caveatBytes: readonly Uint8Array[];
  readonly #signature: Uint8Array;

  private constructor(
    location: string,
    identifier: Uint8Array,
    caveats: readonly string[],
    caveatBytes: readonly Uint8Array[],
    signature: Uint8Array,
  ) {
    this.location = location;
    this.#identifier = identifier;
    this.#caveats = caveats;
    this.#caveatBytes = caveatBytes;
    this.#signature = signature;
  }

  /** Mints a macaroon: signature = HMAC(HMAC("macaroons-key-generator", rootKey), identifier). */
  static mint({
    rootKey,
    identifier,
    location = '',
  }: {
    rootKey: Uint8Array;
    identifier: Uint8Array | string;
    location?: string;
  }): Macaroon {
    if (!(rootKey instanceof Uint8Array) || rootKey.length === 0) {
      throw new LabError('bad_macaroon', 'root key must be a non-empty Uint8Array');
    }
    const id = typeof identifier === 'string' ? utf8.encode(identifier) : Uint8Array.from(identifier);
    return new Macaroon(location, id, [], [], hmac(deriveMacaroonKey(rootKey), id));
  }

  /**
   * A copy with one more first-party caveat, signature chained: sig' = HMAC(sig, caveat).
   * Throws L402Error('invalid_caveat') for an empty caveat, or one past MAX_CAVEATS (a reader refuses that token).
   */
  addFirstPartyCaveat(caveat: string): Macaroon {
    if (typeof caveat !== 'string' || caveat.length === 0) {
      throw new LabError('invalid_caveat', 'a caveat must be a non-empty string');
    }
    if (this.#caveatBytes.length >= MAX_CAVEATS) {
      throw new LabError(
        'invalid_caveat',
        `cannot add caveat ${this.#caveatBytes.length + 1}: a macaroon carries at most ${MAX_CAVEATS} caveats (MAX_CAVEATS), more is refused when read; attenuate from a copy with fewer`,
      );
    }
    const bytes = utf8.encode(caveat);
    return new Macaroon(
      this.location,
      this.#identifier,
      [...this.#caveats, caveat],
      [...this.#caveatBytes, bytes],
      hmac(this.#signature, bytes),
    );
  }

  /** The identifier bytes (a copy). */
  get identifier(): Uint8Array {
    return this.#identifier.slice();
  }

  /** The first-party caveats in order, as text (bytes that are not UTF-8 show as U+FFFD). */
  get caveats(): string[] {
    return [...this.#caveats];
  }

  /** The first-party caveats in order, as the signed bytes (copies). */
  get caveatBytes(): Uint8Array[] {
    return this.#caveatBytes.map((c) => c.slice());
  }

  /** The signature at the end of the HMAC chain (a copy). */
  get signature(): Uint8Array {
    return this.#signature.slice();
  }

  /** V2 binary, byte-identical to gopkg.in/macaroon.v2's MarshalBinary. */
  toBinary(): Uint8Array {
    return encodeV2({
      location: utf8.encode(this.location),
      identifier: this.#identifier,
      caveats: [...this.#caveatBytes],
      signature: this.#signature,
    });
  }

  /** Standard base64 with padding of the V2 binary (the form L402 headers carry). */
  toBase64(): string {
    return toBase64(this.toBinary());
  }

  /** Parses V2 binary; throws L402Error('bad_macaroon'). */
  static fromBinary(bytes: Uint8Array): Macaroon {
    const f = decodeV2(bytes);
    const location = decodeText(f.location, 'location');
    const caveats = f.caveats.map((c) => utf8Lossy.decode(c));
    return new Macaroon(location, f.identifier, caveats, f.caveats, f.signature);
  }

  /** Parses base64 (standard or URL-safe, padded or not); throws L402Error('bad_macaroon'). */
  static fromBase64(text: string): Macaroon {
    return Macaroon.fromBinary(fromBase64(text, 'macaroon', 'bad_macaroon'));
  }

  /** The signature after each caveat: entry 0 is the bare identifier's, entry i after caveat i-1. */
  signatureChain(rootKey: Uint8Array): Uint8Array[] {
    let sig = hmac(deriveMacaroonKey(rootKey), this.#identifier);
    const chain = [sig];
    for (const cav of this.#caveatBytes) {
      sig = hmac(sig, cav);
      chain.push(sig);
    }
    return chain;
  }

  /** True when the HMAC chain from `rootKey` over identifier and caveats ends at this signature. */
  verifySignature(rootKey: Uint8Array): boolean {
    if (!(rootKey instanceof Uint8Array) || rootKey.length === 0) return false;
    const chain = this.signatureChain(rootKey);
    return bytesEqual(chain[chain.length - 1]!, this.#signature);
  }
}

function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return utf8Strict.decode(bytes);
  } catch (cause) {
    throw new LabError('bad_macaroon', `${what} is not valid UTF-8`, { cause });
  }
}
