/**
 * The one error type of the L402 protocol core. Every failure a caller can
 * meet (bad bytes, bad header, failed verification) is an `L402Error` with a
 * machine-readable `code`; nothing else escapes this module.
 */
export type L402ErrorCode =
  | 'malformed_header'
  | 'malformed_identifier'
  | 'unknown_version'
  | 'bad_macaroon'
  | 'bad_signature'
  | 'wrong_preimage'
  | 'unknown_token'
  | 'expired'
  | 'service_mismatch'
  | 'capability_denied'
  | 'quota_exceeded'
  | 'widening_caveat'
  | 'binding_mismatch'
  | 'invalid_caveat';

/** A protocol failure with a `code` a program can switch on and a message a person can read. */
export class L402Error extends Error {
  readonly code: L402ErrorCode;

  constructor(code: L402ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'L402Error';
    this.code = code;
  }
}

/** True when `e` is an `L402Error` (optionally with one of `codes`). */
export function isL402Error(e: unknown, ...codes: L402ErrorCode[]): e is L402Error {
  return e instanceof L402Error && (codes.length === 0 || codes.includes(e.code));
}
