/** Why a payment request was refused. */
export type Bolt11ErrorCode =
  | 'malformed'
  | 'bad_checksum'
  | 'bad_signature'
  | 'unknown_network'
  | 'wrong_network'
  | 'bad_amount'
  | 'missing_field';

/** A payment request that cannot be used, with a machine-readable `code`. */
export class Bolt11Error extends Error {
  override readonly name = 'Bolt11Error';
  constructor(
    readonly code: Bolt11ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
