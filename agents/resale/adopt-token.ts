/**
 * Holding a delegated token: checking its macaroon binds it to the one service it names, the path
 * it is kept for, and storing it in the holder's token store (the other side of delegate.ts).
 */
import { paymentHashOfToken, requestPath, tokenLimits, type TokenLimits } from '../../infra/l402/index.js';
import { LabError } from '../../infra/errors.js';
import type { Clock } from '../../infra/time/clock.js';
import type { StoredToken, TokenStore } from '../l402/index.js';
import { isScheme, type DelegatedToken } from './delegate.js';

/**
 * Why `d`'s macaroon does not bind it to exactly `d.service`, or undefined. Bound: its last `services`
 * caveat, as the verifier reads it (`tokenLimits`), lists that service alone (as `delegate` writes it),
 * so an origin takes it for that service only and applies that service's caveats
 * (`<service>_max_calls`, `<service>_valid_until`, …): the limits a holder reads for `d.service` are the
 * ones enforced. `d.service` is the sender's word (a reseller's slice body); the macaroon is not.
 */
export function serviceMismatch(d: Pick<DelegatedToken, 'macaroon' | 'service'>): string | undefined {
  const listed = tokenLimits(d.macaroon).services;
  if (listed.length > 0 && listed.every((s) => s.name === d.service)) return undefined;
  const opens = listed.length ? listed.map((s) => `${s.name}:${s.tier}`).join(',') : 'every service';
  return `its macaroon opens ${opens}, not ${JSON.stringify(d.service.slice(0, 100))} alone as the token's service says: the limits read for that service are not the ones an origin enforces`;
}

/**
 * The limits of `d`'s macaroon for its service, once `serviceMismatch` finds it bound to that service
 * alone; throws LabError('service_mismatch') otherwise, and L402Error on an unreadable macaroon.
 */
function boundLimits(d: DelegatedToken): TokenLimits {
  const mismatch = serviceMismatch(d);
  if (mismatch)
    throw new LabError(
      'service_mismatch',
      `${mismatch}; a token is held only when bound to the one service it names (a copy made by delegate())`,
    );
  return tokenLimits(d.macaroon, d.service);
}

/**
 * The path a delegated token is kept for: its macaroon's path prefix, else the prefix it names,
 * else the path of its `url` at its own origin (a slice for one route is not sent to the host's
 * other paid routes, which would refuse and drop it), else '/'. Throws as `boundLimits` does.
 */
export function adoptedScope(d: DelegatedToken): string {
  return boundLimits(d).pathPrefix ?? d.pathPrefix ?? urlPath(d) ?? '/';
}

/** The path of the token's `url`, when that URL is on the token's origin. */
function urlPath(d: DelegatedToken): string | undefined {
  if (d.url === undefined || !URL.canParse(d.url)) return undefined;
  const u = new URL(d.url);
  // Read as the engine and the origin's verifier read request paths (escapes decoded).
  return u.origin === d.origin ? requestPath(u.href) : undefined;
}

/**
 * Stores a delegated token so the holder's L402 client sends it for requests
 * under its scope (`adoptedScope`), in its scheme (`LSAT` or `L402`, absent: `L402`); `callsUsed` counts
 * calls already made with it (a checked slice's first call).
 * Its expiry and calls are its macaroon's for its service, which the macaroon must bind it to alone
 * (`serviceMismatch`): throws LabError('service_mismatch') otherwise, and LabError('unknown_scheme') for a
 * scheme other than `L402` or `LSAT`, before storing anything.
 */
export async function adoptToken(
  tokens: TokenStore,
  d: DelegatedToken,
  clock: Clock,
  callsUsed = 0,
): Promise<StoredToken> {
  const limits = boundLimits(d);
  if (d.scheme !== undefined && !isScheme(d.scheme))
    throw new LabError(
      'unknown_scheme',
      `the token's scheme ${JSON.stringify(String(d.scheme).slice(0, 20))} is not L402 or LSAT: it is not held`,
    );
  const stored: StoredToken = {
    origin: d.origin,
    pathPrefix: adoptedScope(d),
    macaroon: d.macaroon,
    ...(d.scheme !== undefined ? { scheme: d.scheme } : {}),
    paymentHash: paymentHashOfToken(d.macaroon),
    preimage: d.preimage.toLowerCase(),
    state: 'paid',
    createdAt: clock.now(),
    validUntilMs: limits.validUntilMs,
    maxCalls: limits.maxCalls,
    callsUsed,
    service: d.service,
  };
  await tokens.put(stored);
  return stored;
}
