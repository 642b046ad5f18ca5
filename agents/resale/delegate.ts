import {
  attenuate,
  caveats,
  formatCaveat,
  isL402Error,
  paymentHashOfToken,
  tokenLimits,
  type TokenLimits,
} from '../../infra/l402/index.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
import type { StoredToken, TokenStore } from '../l402/index.js';
import { LabError } from '../../infra/errors.js';

/** How much of a token a parent hands down: fewer calls, shorter life, fewer capabilities, a narrower path. */
export interface DelegationLimits {
  calls?: number;
  validForSec?: number;
  capabilities?: string[];
  pathPrefix?: string;
  methods?: string[];
  /**
   * Names this copy (a `delegation_id` caveat written before the others).
   * HMAC chains are deterministic: two copies with the same caveats are the
   * same token and share one call counter at the origin. Give each copy its
   * own id (reseller slice number, sub-agent name) to count them apart.
   */
  id?: string;
}

/** The caveat naming a delegated copy; verifiers skip it as an unknown caveat. */
export const DELEGATION_ID_CONDITION = 'delegation_id';

/** A token handed to a sub-agent: the attenuated macaroon, the original preimage, and a budget. */
export interface DelegatedToken {
  /** Origin the token is for (`scheme://host[:port]`). */
  origin: string;
  service: string;
  macaroon: string;
  /** The preimage of the original payment: attenuation keeps the payment hash. */
  preimage: string;
  calls?: number;
  validUntilMs?: number;
  pathPrefix?: string;
  /** What the sub-agent may spend on its own purchases (msat). */
  budgetMsat?: Msat;
}

/** Why a token could not be delegated. */
export type ResaleErrorCode = 'cannot_attenuate' | 'unknown_service' | 'upstream_unavailable';

/**
 * Attenuates a token for a sub-agent, for one service: `token.service`, else
 * the first the token lists. The copy opens that service alone (a `services`
 * caveat listing only it), so its limits hold for everything it opens; a
 * service the token does not open fails with LabError('unknown_service').
 * Caveats only narrow: the expiry is clamped to the token's own, and asking
 * for more calls than the token carries fails with
 * LabError('cannot_attenuate') naming the caveat.
 *
 * @example
 * const slice = delegate({ origin, macaroon, preimage }, { calls: 2, validForSec: 600 }, { clock, budgetMsat: 20_000 });
 */
export function delegate(
  token: { origin: string; macaroon: string; preimage: string; service?: string },
  limits: DelegationLimits,
  { clock, budgetMsat }: { clock: Clock; budgetMsat?: Msat },
): DelegatedToken {
  let own: TokenLimits;
  try {
    own = tokenLimits(token.macaroon, token.service);
  } catch (err) {
    const why = isL402Error(err) ? `${err.code}: ${err.message}` : String(err);
    throw new LabError('cannot_attenuate', `cannot read the token's limits: ${why}`, { cause: err });
  }
  const service = own.service;
  if (!service) throw new LabError('unknown_service', 'the token names no service to attenuate');
  const list: string[] = [];
  if (limits.id !== undefined)
    list.push(formatCaveat({ condition: DELEGATION_ID_CONDITION, value: limits.id }));
  list.push(onlyService(own, service));
  let validUntilMs: number | undefined;
  if (limits.calls !== undefined) list.push(caveats.maxCalls(service, limits.calls));
  if (limits.validForSec !== undefined) {
    const wanted = Math.floor(clock.now() / 1000) + limits.validForSec;
    const sec =
      own.validUntilMs === undefined ? wanted : Math.min(wanted, Math.floor(own.validUntilMs / 1000));
    list.push(caveats.validUntil(service, sec));
    validUntilMs = sec * 1000;
  }
  if (limits.capabilities) list.push(caveats.capabilities(service, limits.capabilities));
  if (limits.methods) list.push(caveats.methods(service, limits.methods));
  if (limits.pathPrefix !== undefined) list.push(caveats.pathPrefix(service, limits.pathPrefix));
  let macaroon: string;
  try {
    macaroon = attenuate(token.macaroon, list);
  } catch (err) {
    const why = isL402Error(err) ? `${err.code}: ${err.message}` : String(err);
    throw new LabError('cannot_attenuate', `cannot delegate ${JSON.stringify(limits)}: ${why}`, {
      cause: err,
    });
  }
  return {
    origin: token.origin,
    service,
    macaroon,
    preimage: token.preimage,
    calls: limits.calls ?? own.maxCalls,
    validUntilMs: validUntilMs ?? own.validUntilMs,
    pathPrefix: limits.pathPrefix ?? own.pathPrefix,
    ...(budgetMsat !== undefined ? { budgetMsat } : {}),
  };
}

/**
 * The `services` caveat that keeps a copy to its one service: the token's
 * own entries for it (the verifier takes a later `services` caveat only as a
 * subset of the one before). The copy's limits (`<service>_max_calls`,
 * `<service>_valid_until`, …) bind that service alone, so without it the
 * token's other services would stay open without them. A token with no
 * `services` caveat opens every service; its copy gets `<service>:0`.
 * Throws LabError('unknown_service') for a service the token does not list.
 */
function onlyService(own: TokenLimits, service: string): string {
  if (own.services.length === 0) return caveats.services([{ name: service, tier: 0 }]);
  const entries = own.services.filter((s) => s.name === service);
  if (entries.length === 0) {
    const listed = own.services.map((s) => `${s.name}:${s.tier}`).join(',');
    throw new LabError('unknown_service', `the token opens ${listed}, not ${service}: cannot delegate it`);
  }
  return caveats.services(entries);
}

/**
 * Stores a delegated token so the holder's L402 client sends it for requests
 * under its scope; `callsUsed` counts calls already made with it (a checked slice's first call).
 */
export async function adoptToken(
  tokens: TokenStore,
  d: DelegatedToken,
  clock: Clock,
  callsUsed = 0,
): Promise<StoredToken> {
  const limits = tokenLimits(d.macaroon, d.service);
  const stored: StoredToken = {
    origin: d.origin,
    pathPrefix: limits.pathPrefix ?? d.pathPrefix ?? '/',
    macaroon: d.macaroon,
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
