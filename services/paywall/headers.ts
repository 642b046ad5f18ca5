/**
 * The paywall's own HTTP headers, besides L402's `WWW-Authenticate` and
 * `Authorization`. Documented in docs/services.md.
 */

/**
 * Request: `1` asks for a hold invoice (pay on success), together with
 * `L402-Payer-Lock`. Response: `1` on a 402 whose invoice is a hold invoice.
 * The retry carries `Authorization: L402 <macaroon>:` with an empty preimage
 * (the seller knows the preimage of its own hold invoice) and
 * `L402-Payer-Key`: the macaroon alone, which anyone who saw the 402 has,
 * never takes the paid call.
 */
export const PAY_ON_SUCCESS_HEADER = 'L402-Pay-On-Success';

/** Request for a hold invoice: hex sha256 of a 32-byte secret only the payer knows. */
export const PAYER_LOCK_HEADER = 'L402-Payer-Lock';

/** Pay-on-success retry: the hex secret whose sha256 was the request's `L402-Payer-Lock`. */
export const PAYER_KEY_HEADER = 'L402-Payer-Key';

const HEX32 = /^[0-9a-f]{64}$/;

/** A 32-byte hex value from a header (lowercased), or undefined when absent or malformed. */
export function hex32(value: string | undefined): string | undefined {
  const v = value?.trim().toLowerCase();
  return v !== undefined && HEX32.test(v) ? v : undefined;
}

/**
 * Buyer-released pay-on-success (a paywall built with `buyerRelease`). Its
 * hold invoice's 402 carries `buyer`: the offer, seen before paying. On the
 * retry, `buyer` asks the paywall to keep the HTLC held after a 2xx until the
 * buyer has checked what it got; that 2xx then carries `pending`. The buyer's
 * verdict is the retry again (`Authorization: L402 <macaroon>:` and
 * `L402-Payer-Key`) with `settle` or `cancel`.
 */
export const RELEASE_HEADER = 'L402-Release';

/** Request: which tier to buy (`L402-Tier: 1`); default the paywall's first tier. */
export const TIER_HEADER = 'L402-Tier';

/** Response: calls left under the token's tightest `max_calls` quota (absent when unlimited). */
export const CALLS_REMAINING_HEADER = 'L402-Calls-Remaining';

/** True for the values that switch a boolean header on. */
export function headerFlag(value: string | undefined): boolean {
  return value !== undefined && /^\s*(1|true|yes)\s*$/i.test(value);
}

/**
 * Splits `L402 <macaroon>:` (empty preimage: a pay-on-success retry) into
 * the macaroon, or returns undefined for anything else.
 */
export function parseHoldAuthorization(value: string | undefined): string | undefined {
  if (value === undefined || value.length > 16 * 1024) return undefined;
  const m = /^\s*(?:L402|LSAT)[ \t]+([A-Za-z0-9+/\-_]+={0,2}):\s*$/i.exec(value);
  return m?.[1];
}
