import {
  CONDITION_SUFFIX,
  Macaroon,
  parseCaveat,
  parseServices,
  SERVICES_CONDITION,
} from '../../infra/l402/index.js';

/** What a buyer learns from a token's caveats: how long and how often it may be used, and where. */
export interface TokenLimits {
  services: string[];
  /** Tier of the first service in the `services` caveat (which advertised price applies). */
  tier?: number;
  /** Earliest `<service>_valid_until`, in ms. */
  validUntilMs?: number;
  /** Smallest `<service>_max_calls`. */
  maxCalls?: number;
  /** The last (narrowest) `<service>_path_prefix`. */
  pathPrefix?: string;
}

/**
 * Reads the limits a token carries, without verifying it (the buyer has no
 * root key). A caveat the buyer cannot read is skipped: the server is the
 * judge, this only saves a round trip when a token is plainly used up.
 * Throws L402Error('bad_macaroon') when the token is not a macaroon at all.
 */
export function readTokenLimits(macaroon: string): TokenLimits {
  const limits: TokenLimits = { services: [] };
  for (const text of Macaroon.fromBase64(macaroon).caveats) {
    let condition: string;
    let value: string;
    try {
      ({ condition, value } = parseCaveat(text));
    } catch {
      continue;
    }
    if (condition === SERVICES_CONDITION) {
      try {
        const list = parseServices(value);
        limits.services = list.map((s) => s.name);
        limits.tier = list[0]?.tier;
      } catch {
        /* unreadable: leave it to the server */
      }
    } else if (condition.endsWith(CONDITION_SUFFIX.validUntil)) {
      const ms = uint(value) * 1000;
      if (Number.isSafeInteger(ms)) limits.validUntilMs = Math.min(limits.validUntilMs ?? ms, ms);
    } else if (condition.endsWith(CONDITION_SUFFIX.maxCalls)) {
      const n = uint(value);
      if (Number.isSafeInteger(n)) limits.maxCalls = Math.min(limits.maxCalls ?? n, n);
    } else if (condition.endsWith(CONDITION_SUFFIX.pathPrefix) && value.startsWith('/')) {
      limits.pathPrefix = value;
    }
  }
  return limits;
}

function uint(value: string): number {
  return /^(0|[1-9][0-9]*)$/.test(value) ? Number(value) : Number.NaN;
}
