import {
  attenuate,
  caveats,
  formatCaveat,
  isL402Error,
  paymentHashOfToken,
  requestPath,
  tokenLimits,
  type L402Scheme,
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
