/** Every reason a payment request can be refused, for "is this a BOLT 11 error" checks. */
export const BOLT11_ERROR_CODES = [
  'malformed',
  'bad_checksum',
  'bad_signature',
  'unknown_network',
  'wrong_network',
  'bad_amount',
  'missing_field',
] as const;

/** Why a payment request was refused (the `code` of the `LabError` the decoder throws). */
export type Bolt11ErrorCode = (typeof BOLT11_ERROR_CODES)[number];
