import { isLabError, type LabError } from '../errors.js';

/**
 * Every failure a caller of the L402 protocol core can meet (bad bytes, bad
 * header, failed verification) is a `LabError` with one of these codes;
 * nothing else escapes this module.
 */
export const L402_ERROR_CODES = [
  'malformed_header',
  'malformed_identifier',
  'unknown_version',
  'bad_macaroon',
  'bad_signature',
  'wrong_preimage',
  'unknown_token',
  'expired',
  'service_mismatch',
  'capability_denied',
  'quota_exceeded',
  'widening_caveat',
  'binding_mismatch',
  'invalid_caveat',
] as const;

export type L402ErrorCode = (typeof L402_ERROR_CODES)[number];

/** A protocol failure of the L402 core. */
export type L402Error = LabError<L402ErrorCode>;

/** True when `e` is an L402 protocol failure (optionally with one of `codes`). */
export function isL402Error(e: unknown, ...codes: L402ErrorCode[]): e is L402Error {
  return isLabError(e, ...(codes.length > 0 ? codes : L402_ERROR_CODES));
}
