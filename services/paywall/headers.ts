/**
 * The paywall's own HTTP headers, besides L402's `WWW-Authenticate` and
 * `Authorization`. Documented in README.md, "Services".
 */

/**
 * Request: `1` asks for a hold invoice (pay on success). Response: `1` on a
 * 402 whose invoice is a hold invoice. The retry carries
 * `Authorization: L402 <macaroon>:` with an empty preimage: nothing secret
 * travels, the seller already knows the preimage of its own hold invoice.
 */
export const PAY_ON_SUCCESS_HEADER = 'L402-Pay-On-Success';

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
