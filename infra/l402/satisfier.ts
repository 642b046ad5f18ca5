/**
 * Verification as data (Aperture's satisfiers): for the service being called,
 * a list of `{condition, parse, satisfyPrevious, satisfyFinal, record}`. The
 * verifier parses every occurrence of a known condition, checks each one
 * narrows the one before it, checks the last one against the request, and
 * lets each satisfier write what it knows into the `TokenFacts`. A new caveat
 * kind is a new entry here, not an edit of the verifier.
 */
import {
  CONDITION_SUFFIX,
  SERVICES_CONDITION,
  hasDotSegmentOrEncoding,
  MAX_VALID_UNTIL_SECONDS,
  parseCapabilities,
  parseMethods,
  parsePathPrefix,
  parsePrice,
  parseServices,
  parseUint,
  pathWithin,
  type ServiceTier,
} from './caveat.js';
import { LabError } from '../errors.js';
import type { L402Error } from './errors.js';
import type { Satisfier } from './satisfier-types.js';

export type { CaveatStep, Quota, Satisfier, TokenFacts, VerifyContext } from './satisfier-types.js';

/** Erases `T` so satisfiers of different kinds share one list. */
function define<T>(s: Satisfier<T>): Satisfier {
  return s as unknown as Satisfier;
}

function widening(condition: string, message: string): L402Error {
  return new LabError('widening_caveat', `${condition}: ${message}`);
}

const isSubset = (cur: readonly string[], prev: readonly string[]): boolean =>
  cur.every((c) => prev.includes(c));

/** `services=name:tier[,…]`: the called service must be listed; a later caveat lists a subset. */
export const servicesSatisfier: Satisfier = define<ServiceTier[]>({
  condition: SERVICES_CONDITION,
  parse: parseServices,
  satisfyPrevious(prev, cur) {
    const extra = cur.find((c) => !prev.some((p) => p.name === c.name && p.tier === c.tier));
    if (extra)
      throw widening(SERVICES_CONDITION, `${extra.name}:${extra.tier} was not in the previous caveat`);
  },
  satisfyFinal(list, ctx) {
    if (!list.some((s) => s.name === ctx.service)) {
      throw new LabError(
        'service_mismatch',
        `token is for ${list.map((s) => s.name).join(',')}, not ${ctx.service}`,
      );
    }
  },
  record(list, facts, _step, isFinal) {
    if (isFinal) facts.services = list;
  },
});

/** The satisfiers that apply when `service` is called. */
export function satisfiersFor(service: string): Satisfier[] {
  return [
    servicesSatisfier,
    capabilitiesSatisfier(service + CONDITION_SUFFIX.capabilities),
    validUntilSatisfier(service + CONDITION_SUFFIX.validUntil),
    maxCallsSatisfier(service + CONDITION_SUFFIX.maxCalls),
    methodsSatisfier(service + CONDITION_SUFFIX.methods),
    pathPrefixSatisfier(service + CONDITION_SUFFIX.pathPrefix),
    priceSatisfier(service + CONDITION_SUFFIX.price),
  ];
}

/** `<service>_capabilities`: the capability exercised must be listed; a later caveat lists a subset. */
function capabilitiesSatisfier(condition: string): Satisfier {
  return define<string[]>({
    condition,
    parse: parseCapabilities,
    satisfyPrevious(prev, cur) {
      if (!isSubset(cur, prev)) throw widening(condition, `[${cur}] is not a subset of [${prev}]`);
    },
    satisfyFinal(list, ctx) {
      if (ctx.capability === undefined || !list.includes(ctx.capability)) {
        throw new LabError(
          'capability_denied',
          `capability ${ctx.capability ?? '(none named)'} is not in [${list.join(',')}]`,
        );
      }
    },
    record(list, facts, _step, isFinal) {
      if (isFinal) facts.capabilities = list;
    },
  });
}

/** `<service>_valid_until`: unix seconds; a later caveat is not later. */
function validUntilSatisfier(condition: string): Satisfier {
  return define<number>({
    condition,
    parse: (v) => parseUint(v, condition, MAX_VALID_UNTIL_SECONDS),
    satisfyPrevious(prev, cur) {
      if (cur > prev) throw widening(condition, `${cur} is later than ${prev}`);
    },
    satisfyFinal(seconds, ctx) {
      // Valid strictly before the instant, as Aperture (`now().Before(expiry)`).
      if (ctx.nowMs >= seconds * 1000) {
        throw new LabError('expired', `token expired at ${seconds * 1000} ms, now is ${ctx.nowMs} ms`);
      }
    },
    record(seconds, facts, _step, isFinal) {
      if (isFinal) facts.validUntilMs = seconds * 1000;
    },
  });
}

/**
 * Most `<service>_max_calls` caveats in one chain: the paywall keeps a counter
 * per quota, so a holder stacking them would make it keep counters for free.
 * A bundle, its resold slice and a few delegations below it fit.
 */
export const MAX_QUOTA_CAVEATS = 8;

/**
 * `<service>_max_calls`: an occurrence that lowers the limit is a quota the
 * paywall counts; a later caveat is not larger, and one with the same limit
 * adds no quota (every call it would count is counted by the one before it,
 * against the same limit). At most `MAX_QUOTA_CAVEATS` per chain.
 */
function maxCallsSatisfier(condition: string): Satisfier {
  return define<number>({
    condition,
    maxOccurrences: MAX_QUOTA_CAVEATS,
    parse: (v) => parseUint(v, condition),
    satisfyPrevious(prev, cur) {
      if (cur > prev) throw widening(condition, `${cur} calls is more than ${prev}`);
    },
    satisfyFinal(n) {
      if (n === 0) throw new LabError('quota_exceeded', `${condition} is 0: no call is allowed`);
    },
    // Every lower limit is a quota of its own: the root bundle's limit is
    // shared by all copies attenuated from it, each copy's own limit is not.
    record(n, facts, step) {
      if (facts.quotas.at(-1)?.limit === n) return;
      facts.quotas.push({ key: `${step.tokenId}:${step.signatureHex}`, limit: n });
    },
  });
}

/** `<service>_methods`: the HTTP method must be listed; a later caveat lists a subset. */
function methodsSatisfier(condition: string): Satisfier {
  return define<string[]>({
    condition,
    parse: parseMethods,
    satisfyPrevious(prev, cur) {
      if (!isSubset(cur, prev)) throw widening(condition, `[${cur}] is not a subset of [${prev}]`);
    },
    satisfyFinal(list, ctx) {
      const method = ctx.method?.toUpperCase();
      if (method === undefined || !list.includes(method)) {
        throw new LabError(
          'binding_mismatch',
          `method ${ctx.method ?? '(none)'} is not in [${list.join(',')}]`,
        );
      }
    },
    record(list, facts, _step, isFinal) {
      if (isFinal) facts.methods = list;
    },
  });
}

/** `<service>_path_prefix`: the path must be inside it (whole segments); a later caveat is inside the previous. */
function pathPrefixSatisfier(condition: string): Satisfier {
  return define<string>({
    condition,
    parse: parsePathPrefix,
    satisfyPrevious(prev, cur) {
      if (!pathWithin(cur, prev)) throw widening(condition, `${cur} is not inside ${prev}`);
    },
    satisfyFinal(prefix, ctx) {
      const path = ctx.path;
      if (path === undefined || hasDotSegmentOrEncoding(path) || !pathWithin(path, prefix)) {
        throw new LabError('binding_mismatch', `path ${path ?? '(none)'} is not inside ${prefix}`);
      }
    },
    record(prefix, facts, _step, isFinal) {
      if (isFinal) facts.pathPrefix = prefix;
    },
  });
}

/**
 * `<service>_price`: the msat a negotiated token was sold for. A later caveat
 * may not name another price (any change is refused as widening: nobody may
 * re-price a token); the paywall compares the final value with the amount
 * its node says the token's invoice was issued for.
 */
function priceSatisfier(condition: string): Satisfier {
  return define<number>({
    condition,
    parse: (v) => parsePrice(v, condition),
    satisfyPrevious(prev, cur) {
      if (cur !== prev) throw widening(condition, `price ${cur} msat differs from the earlier ${prev} msat`);
    },
    satisfyFinal() {
      // Checked against the invoice by the paywall, which knows the amount paid.
    },
    record(msat, facts, _step, isFinal) {
      if (isFinal) facts.priceMsat = msat;
    },
  });
}
