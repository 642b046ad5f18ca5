/**
 * The part of verifying an `Authorization` value that depends on its text
 * alone: the header parsed, the macaroon decoded, its location, its
 * identifier, and sha256(preimage) == the identifier's payment hash. The
 * root key depends on state and is looked up on every call (verify.ts); the
 * HMAC chain and the caveats read depend on that key (token-check.ts).
 */
import { createHash } from 'node:crypto';
import { bytesEqual, fromHex, toHex } from './bytes.js';
import { parseAuthorization } from './header.js';
import { decodeIdentifier } from './identifier.js';
import { Macaroon } from './macaroon.js';
import { LabError } from '../errors.js';
import { checkHolds, checkToken, type TokenCheck } from './token-check.js';

/** An `Authorization` value whose text checks out, ready for the per-call checks. */
export interface Credential {
  readonly macaroon: Macaroon;
  /** Hex token id: the root key's name. */
  readonly tokenId: string;
  /** Hex payment hash of the identifier, which sha256(preimage) matches. */
  readonly paymentHash: string;
  /** The preimage as sent (64 lowercase hex). */
  readonly preimage: string;
  /** Hex of the macaroon's final signature (what the HMAC chain must end with). */
  readonly signatureHex: string;
}

/** Parses and checks the text of an `Authorization` value; throws L402Error in the order L402.md fixes. */
export function readCredential(authorization: string, location?: string): Credential {
  const auth = parseAuthorization(authorization);
  if (auth.macaroons.length !== 1) {
    throw new LabError('bad_macaroon', `expected one macaroon, got ${auth.macaroons.length} (no discharges)`);
  }
  const mac = Macaroon.fromBase64(auth.macaroons[0]!);
  // The location is the one part of a macaroon the HMAC does not cover; a
  // server knows where it mints, so a changed location is a changed token.
  if (location !== undefined && mac.location !== location) {
    throw new LabError(
      'bad_macaroon',
      `macaroon location ${JSON.stringify(mac.location)} is not ${JSON.stringify(location)}`,
    );
  }
  // 1. identifier
  const id = decodeIdentifier(mac.identifier);
  // 2. preimage
  const preimage = fromHex(auth.preimage, 'preimage', 'malformed_header', 32);
  const hash = new Uint8Array(createHash('sha256').update(preimage).digest());
  if (!bytesEqual(hash, id.paymentHash)) {
    throw new LabError(
      'wrong_preimage',
      `sha256(preimage) is not the token's payment hash ${toHex(id.paymentHash)}`,
    );
  }
  return {
    macaroon: mac,
    tokenId: toHex(id.tokenId),
    paymentHash: toHex(id.paymentHash),
    preimage: auth.preimage,
    signatureHex: toHex(mac.signature),
  };
}

/**
 * Credentials read before, by their exact `Authorization` text, so a token
 * used for many calls is parsed and decoded once, and its HMAC chain
 * computed and caveats read once per root key. Only values that passed are
 * kept (a failure is read again, and fails again, every time); the oldest
 * entry leaves when full. A hit skips nothing that depends on state or on
 * the request: the caller looks the root key up on every call and hands it
 * to `check`, which reuses a kept check only for the same key, byte for byte.
 */
export class CredentialCache {
  readonly #byText = new Map<string, Credential>();
  // By credential object: a check lives exactly as long as its credential is kept.
  readonly #checks = new WeakMap<Credential, TokenCheck>();

  /** `capacity` entries at most; `location` is the one the credentials must carry (the minter's). */
  constructor(
    readonly location: string | undefined,
    readonly capacity = 64,
  ) {}

  /** Credentials kept now. */
  get size(): number {
    return this.#byText.size;
  }

  /** The credential of `authorization`, read (and kept) on a miss; throws L402Error like `readCredential`. */
  read(authorization: string): Credential {
    const hit = this.#byText.get(authorization);
    if (hit) return hit;
    const c = readCredential(authorization, this.location);
    if (this.#byText.size >= this.capacity) {
      const oldest = this.#byText.keys().next().value;
      if (oldest !== undefined) this.#byText.delete(oldest);
    }
    this.#byText.set(authorization, c);
    return c;
  }

  /**
   * `checkToken(cred, rootKey, service)`, kept for `cred` (the last one that
   * passed) and reused while the root key and service are the same. Throws
   * L402Error like `checkToken`.
   */
  check(cred: Credential, rootKey: Uint8Array, service: string): TokenCheck {
    const kept = this.#checks.get(cred);
    if (kept && checkHolds(kept, rootKey, service)) return kept;
    const made = checkToken(cred, rootKey, service);
    this.#checks.set(cred, made);
    return made;
  }
}
