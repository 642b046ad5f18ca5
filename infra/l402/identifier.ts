import { LabError } from '../errors.js';
/**
 * The L402 macaroon identifier: 66 bytes, big-endian,
 * `version uint16 (=0) ‖ payment_hash[32] ‖ token_id[32]` (the layout Aperture
 * writes; see /work/shared/L402.md, not the spec's table).
 */

/** The only identifier version that exists. */
export const IDENTIFIER_VERSION = 0;
/** Encoded length of a version-0 identifier. */
export const IDENTIFIER_LENGTH = 66;
const HASH_LENGTH = 32;

/** The decoded identifier. */
export interface Identifier {
  version: number;
  paymentHash: Uint8Array;
  tokenId: Uint8Array;
}

/** Encodes an identifier; throws L402Error('malformed_identifier') on wrong field sizes. */
export function encodeIdentifier({
  version = IDENTIFIER_VERSION,
  paymentHash,
  tokenId,
}: {
  version?: 0;
  paymentHash: Uint8Array;
  tokenId: Uint8Array;
}): Uint8Array {
  if (version !== IDENTIFIER_VERSION) {
    throw new LabError('unknown_version', `identifier version must be 0, got ${String(version)}`);
  }
  if (!(paymentHash instanceof Uint8Array) || paymentHash.length !== HASH_LENGTH) {
    throw new LabError(
      'malformed_identifier',
      `payment hash must be 32 bytes, got ${byteLength(paymentHash)}`,
    );
  }
  if (!(tokenId instanceof Uint8Array) || tokenId.length !== HASH_LENGTH) {
    throw new LabError('malformed_identifier', `token id must be 32 bytes, got ${byteLength(tokenId)}`);
  }
  const out = new Uint8Array(IDENTIFIER_LENGTH);
  // version 0 in big-endian is two zero bytes, already there
  out.set(paymentHash, 2);
  out.set(tokenId, 2 + HASH_LENGTH);
  return out;
}

/**
 * Decodes an identifier. An unknown version is 'unknown_version' (checked
 * first, as Aperture does, so a future layout is told apart from garbage);
 * a version-0 identifier of the wrong length is 'malformed_identifier'.
 */
export function decodeIdentifier(bytes: Uint8Array): Identifier {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2) {
    throw new LabError('malformed_identifier', `identifier too short: ${byteLength(bytes)} bytes`);
  }
  const version = (bytes[0]! << 8) | bytes[1]!;
  if (version !== IDENTIFIER_VERSION) {
    throw new LabError('unknown_version', `unknown identifier version ${version}`);
  }
  if (bytes.length !== IDENTIFIER_LENGTH) {
    throw new LabError(
      'malformed_identifier',
      `identifier must be ${IDENTIFIER_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  return {
    version,
    paymentHash: bytes.slice(2, 2 + HASH_LENGTH),
    tokenId: bytes.slice(2 + HASH_LENGTH, IDENTIFIER_LENGTH),
  };
}

function byteLength(value: unknown): string {
  return value instanceof Uint8Array ? String(value.length) : typeof value;
}
