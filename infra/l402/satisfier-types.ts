import type { ServiceTier } from './caveat.js';

/** What the request is, for the final caveat checks. */
export interface VerifyContext {
  /** The service being called (matches `services` entries and the `<service>_…` conditions). */
  service: string;
  /** The verifier's clock, in ms since the epoch. */
  nowMs: number;
  /** The capability this request exercises; a token with `<service>_capabilities` denies a request without one. */
  capability?: string;
  /** The HTTP method; required when the token carries `<service>_methods`. */
  method?: string;
  /** The request's path as `requestPath` reads it (escapes decoded, no query); required when the token carries `<service>_path_prefix`. */
  path?: string;
}

/**
 * A per-call quota the paywall counts: one per `<service>_max_calls` caveat
 * in the chain that lowers the limit before it (one with the same limit
 * counts nothing the earlier one does not).
 */
export interface Quota {
  /** tokenId ':' hex signature right after the caveat: shared by every copy attenuated from that point. */
  key: string;
  limit: number;
}

/** What a verified token grants (values of the last caveat of each kind). */
export interface TokenFacts {
  tokenId: string;
  paymentHash: string;
  preimage: string;
  caveats: string[];
  services: ServiceTier[];
  capabilities?: string[];
  validUntilMs?: number;
  methods?: string[];
  pathPrefix?: string;
  /** The negotiated price (`<service>_price`): the paywall checks it against what was paid. */
  priceMsat?: number;
  quotas: Quota[];
  /** Hex of the macaroon's final signature. */
  signature: string;
}

/** Where a caveat sits in the chain, for satisfiers that record per-occurrence facts. */
export interface CaveatStep {
  tokenId: string;
  /** Hex of the HMAC chain signature right after this caveat. */
  signatureHex: string;
}

/** One caveat kind. Methods throw L402Error; `T` is the parsed value. */
export interface Satisfier<T = unknown> {
  condition: string;
  /** Most occurrences one chain may carry; more is 'invalid_caveat' (absent: no bound). */
  maxOccurrences?: number;
  /** Parses a value; throws L402Error('invalid_caveat'). */
  parse(value: string): T;
  /** Throws L402Error('widening_caveat') when `current` grants more than `previous`. */
  satisfyPrevious(previous: T, current: T): void;
  /** Throws when the last occurrence does not allow the request. */
  satisfyFinal(value: T, ctx: VerifyContext): void;
  /** Records facts from an occurrence (`isFinal` on the last one). */
  record(value: T, facts: TokenFacts, step: CaveatStep, isFinal: boolean): void;
}
