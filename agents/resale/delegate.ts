import {
  attenuate,
  caveats,
  formatCaveat,
  isL402Error,
  tokenLimits,
  type L402Scheme,
  type TokenLimits,
} from '../../infra/l402/index.js';
import type { Msat } from '../../infra/money.js';
import type { Clock } from '../../infra/time/clock.js';
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
  /**
   * The scheme its `Authorization` is sent in, the one of the challenge paid for the original (an
   * LSAT-era origin accepts `LSAT` only); absent: `L402`.
   */
  scheme?: L402Scheme;
  calls?: number;
  validUntilMs?: number;
  pathPrefix?: string;
  /**
   * Where the token is for (a reseller's slice names its upstream URL): a holder keeps a token whose
   * macaroon binds no path for this URL's path, not for every paid route of its origin.
   */
  url?: string;
  /** What the sub-agent may spend on its own purchases (msat). */
  budgetMsat?: Msat;
}

/** Why a token could not be delegated or adopted. */
export type ResaleErrorCode =
  'cannot_attenuate' | 'unknown_service' | 'service_mismatch' | 'unknown_scheme' | 'upstream_unavailable';

/** Whether `v` names a scheme a token's `Authorization` is sent in: `L402` or `LSAT` (exactly). */
export function isScheme(v: unknown): v is L402Scheme {
  return v === 'L402' || v === 'LSAT';
}

/**
 * Attenuates a token for a sub-agent, for one service: `token.service`, else
 * the first the token lists. The copy opens that service alone (a `services`
 * caveat listing only it), so its limits hold for everything it opens; a
 * service the token does not open fails with LabError('unknown_service').
 * Caveats only narrow: the expiry is clamped to the token's own, and asking
 * for more calls than the token has left (its `max_calls` less `callsUsed`,
 * the calls its holder made or handed down already) fails with
 * LabError('cannot_attenuate') naming the caveat or the calls left.
 *
 * @example
 * const slice = delegate({ origin, macaroon, preimage }, { calls: 2, validForSec: 600 }, { clock, budgetMsat: 20_000 });
 */
export function delegate(
  token: {
    origin: string;
    macaroon: string;
    preimage: string;
    scheme?: L402Scheme;
    service?: string;
    callsUsed?: number;
  },
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
  const left = callsLeft(own, token.callsUsed ?? 0, limits.calls);
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
    ...(token.scheme !== undefined ? { scheme: token.scheme } : {}),
    calls: limits.calls ?? left,
    validUntilMs: validUntilMs ?? own.validUntilMs,
    pathPrefix: limits.pathPrefix ?? own.pathPrefix,
    ...(budgetMsat !== undefined ? { budgetMsat } : {}),
  };
}

/**
 * The calls a token has left (undefined without a `max_calls`); throws LabError('cannot_attenuate')
 * when `wanted` fits the token's `max_calls` but not what is left of it: the origin's shared counter
 * would refuse the copy's last calls, or its holder's. (More than `max_calls` is a widening caveat,
 * which attenuation refuses.)
 */
function callsLeft(own: TokenLimits, used: number, wanted: number | undefined): number | undefined {
  if (own.maxCalls === undefined) return undefined;
  const left = Math.max(0, own.maxCalls - used);
  if (wanted !== undefined && wanted > left && wanted <= own.maxCalls)
    throw new LabError(
      'cannot_attenuate',
      `cannot delegate ${wanted} calls: the token has ${left} of its ${own.maxCalls} left (${used} used or handed down); delegate at most ${left}`,
    );
  return left;
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
 * Checks the shape of a slice from an untrusted reseller. Its `scheme`, the one its `Authorization` is
 * sent in, is `L402` or `LSAT` exactly, or absent (`L402`); any other value makes no slice.
 */
export function parseSlice(body: unknown): DelegatedToken | undefined {
  const b = body as Record<string, unknown>;
  const str = (k: string) => typeof b?.[k] === 'string';
  if (!str('origin') || !str('service') || !str('macaroon') || !str('preimage')) return undefined;
  if (!/^[0-9a-f]{64}$/i.test(b.preimage as string)) return undefined;
  if (b.scheme !== undefined && !isScheme(b.scheme)) return undefined;
  return {
    origin: b.origin as string,
    service: b.service as string,
    macaroon: b.macaroon as string,
    preimage: b.preimage as string,
    ...(b.scheme !== undefined ? { scheme: b.scheme } : {}),
    ...(Number.isSafeInteger(b.calls) ? { calls: b.calls as number } : {}),
    ...(Number.isSafeInteger(b.validUntilMs) ? { validUntilMs: b.validUntilMs as number } : {}),
    ...(typeof b.pathPrefix === 'string' ? { pathPrefix: b.pathPrefix } : {}),
    ...(str('url') ? { url: b.url as string } : {}),
  };
}
