/**
 * What a quoted token allows for the purchase it is quoted for, read as the
 * seller's verifier will read it: for the service being bought (a token's
 * caveats are per service, `<service>_max_calls`, …, and the verifier applies
 * those of the service it guards), then whether those limits could authorize
 * the request at all. Both are checked before anything is paid.
 */
import { CONDITION_SUFFIX, isL402Error, tokenLimits, type TokenLimits } from '../../infra/l402/index.js';
import type { PreparedRequest } from './request.js';
import { outsideBinding } from './token-binding.js';

/**
 * The quoted token's limits for the service being bought (`service`, the
 * caller's `hints.service`), or why the buyer cannot tell them:
 *
 * - a token listing one service (or none) is read for it, named or not (the
 *   name a buyer has is often a listing's, the seller's label for what it
 *   sells: a one-service token leaves nothing to choose);
 * - a token listing several is read for the service named: its last
 *   `services` caveat must list it, its limits are that service's (read again
 *   when `quoted`, the answer's read for the first service listed, is for
 *   another one), and a token whose caveats for it the verifier would refuse
 *   is refused too; with none named, or one it does not list, it is refused:
 *   the seller verifies it for one of them, each with caveats of its own, and
 *   which one the buyer cannot tell (reading the first listed let a
 *   `services=decoy:0,svc:0` token pass on decoy's limits while svc's refused
 *   every call).
 *
 * The limits are `quoted` itself whenever they are the ones asked for (one decoding per quote).
 */
export function boughtLimits(
  macaroon: string,
  quoted: TokenLimits,
  service: string | undefined,
): { ok: true; limits: TokenLimits } | { ok: false; reason: string } {
  const listed = (l: TokenLimits) => l.services.map((s) => `${s.name}:${s.tier}`).join(',');
  if (quoted.services.length <= 1) return { ok: true, limits: quoted };
  if (service === undefined) {
    const reason =
      `its services caveat lists ${quoted.services.length} services (${listed(quoted)}) and the purchase names none: ` +
      "the seller verifies it for one of them, under that one's caveats; name the service being bought (hints.service)";
    return { ok: false, reason };
  }
  if (quoted.service === service) return { ok: true, limits: quoted };
  let limits: TokenLimits;
  try {
    limits = tokenLimits(macaroon, service);
  } catch (err) {
    const why = isL402Error(err) ? `${err.code}: ${err.message}` : String(err);
    return {
      ok: false,
      reason: `its caveats for ${service}, the service being bought, would be refused by the verifier (${why})`,
    };
  }
  if (limits.services.length > 0 && !limits.services.some((s) => s.name === service))
    return {
      ok: false,
      reason: `its services caveat lists ${listed(limits)}, not ${service}, the service being bought: the seller would refuse it (service_mismatch)`,
    };
  return { ok: true, limits };
}

/** The tier the token is for: its first `services` entry for the service bought, as the paywall reads it. */
export function boughtTier(limits: TokenLimits): number | undefined {
  return limits.services.find((s) => s.name === limits.service)?.tier;
}

/**
 * Why the token a challenge sells could not authorize `req`, read from its
 * caveats as the verifier reads them (undefined when it could): expired
 * before the paid call can arrive (it ends within `marginMs` of `nowMs`, the
 * client's `requestTimeoutMs`: the call follows the payment, and may take
 * that long to reach the seller), no call allowed, another method, a path
 * outside its prefix. Paying for such a token buys a refusal.
 */
export function tokenCannotAuthorize(
  limits: TokenLimits,
  req: PreparedRequest,
  nowMs: number,
  marginMs: number,
): string | undefined {
  const caveat = (suffix: string) => `${limits.service}${suffix}`;
  const why = (what: string) => `the token cannot authorize ${req.method} ${req.path}: ${what}`;
  const { validUntilMs, maxCalls } = limits;
  if (validUntilMs !== undefined && validUntilMs <= nowMs + marginMs) {
    const ends = `its ${caveat(CONDITION_SUFFIX.validUntil)} ends at ${new Date(validUntilMs).toISOString()}`;
    const now = new Date(nowMs).toISOString();
    if (validUntilMs <= nowMs) return why(`${ends}, not after now (${now})`);
    return why(
      `${ends}, ${validUntilMs - nowMs} ms after now (${now}), within the client's requestTimeoutMs ` +
        `(${marginMs} ms) a paid call may take to reach the seller: it could arrive after the token ends`,
    );
  }
  if (maxCalls === 0) return why(`its ${caveat(CONDITION_SUFFIX.maxCalls)} is 0`);
  const outside = outsideBinding(limits, req.method, req.path);
  return outside === undefined ? undefined : why(outside);
}
