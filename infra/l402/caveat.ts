/**
 * Caveats on the wire: `condition=value`, split at the first '='. Builders
 * for the vocabulary Aperture uses (services, capabilities, valid_until) and
 * our extensions (max_calls, methods, path_prefix, and price: the msat a
 * negotiated token was sold for); each
 * returns the wire string, validated, so a bad caveat never gets signed.
 */
import { preview } from './bytes.js';
import { LabError } from '../errors.js';

/** A caveat split into its condition and value. */
export interface Caveat {
  condition: string;
  value: string;
}

/** The condition suffixes of per-service caveats. */
export const CONDITION_SUFFIX = {
  capabilities: '_capabilities',
  validUntil: '_valid_until',
  maxCalls: '_max_calls',
  methods: '_methods',
  pathPrefix: '_path_prefix',
  price: '_price',
} as const;

/** The `services` condition. */
export const SERVICES_CONDITION = 'services';

const NAME_RE = /^[^\s,:=]+$/;
const CAPABILITY_RE = /^[^\s,=]+$/;
const METHOD_RE = /^[A-Z]+$/;
const UINT_RE = /^(0|[1-9][0-9]*)$/;

/**
 * Parses `condition=value`, split at the first '='. Both sides are trimmed
 * (Aperture does not trim): a reseller's ` services = x:0` then still
 * restricts instead of being skipped as unknown.
 */
export function parseCaveat(text: string): Caveat {
  if (typeof text !== 'string') throw new LabError('invalid_caveat', 'a caveat must be a string');
  const eq = text.indexOf('=');
  if (eq < 0) throw new LabError('invalid_caveat', `caveat has no '=': ${preview(text)}`);
  const condition = text.slice(0, eq).trim();
  if (condition.length === 0)
    throw new LabError('invalid_caveat', `caveat has no condition: ${preview(text)}`);
  return { condition, value: text.slice(eq + 1).trim() };
}

/** Formats a caveat as `condition=value`. */
export function formatCaveat({ condition, value }: Caveat): string {
  if (typeof condition !== 'string' || condition.length === 0 || condition.includes('=')) {
    throw new LabError('invalid_caveat', `invalid caveat condition ${preview(condition)}`);
  }
  if (condition.trim() !== condition || typeof value !== 'string' || value.trim() !== value) {
    throw new LabError('invalid_caveat', `caveat ${condition} has surrounding whitespace`);
  }
  return `${condition}=${value}`;
}

/** One entry of a `services` caveat. */
export interface ServiceTier {
  name: string;
  tier: number;
}

/** Parses the value of a `services` caveat (`name:tier[,name:tier]`, tier uint8). */
export function parseServices(value: string): ServiceTier[] {
  const out: ServiceTier[] = [];
  for (const part of value.split(',')) {
    const colon = part.lastIndexOf(':');
    const name = colon < 0 ? '' : part.slice(0, colon).trim();
    const tierText = colon < 0 ? '' : part.slice(colon + 1).trim();
    if (!NAME_RE.test(name) || !UINT_RE.test(tierText) || Number(tierText) > 255) {
      throw new LabError(
        'invalid_caveat',
        `bad service entry ${preview(part)} (want name:tier, tier 0..255)`,
      );
    }
    out.push({ name, tier: Number(tierText) });
  }
  return out;
}

/** Parses a comma-separated list whose items match `re` (capabilities, methods). */
export function parseList(value: string, re: RegExp, what: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!re.test(item))
      throw new LabError('invalid_caveat', `bad ${what} ${preview(item)} in ${preview(value)}`);
  }
  return items;
}

/** Parses a list of capabilities. */
export const parseCapabilities = (value: string): string[] => parseList(value, CAPABILITY_RE, 'capability');
/** Parses a list of HTTP methods (uppercase tokens). */
export const parseMethods = (value: string): string[] => parseList(value, METHOD_RE, 'HTTP method');

/** Parses a non-negative safe integer (unix seconds, call counts). */
export function parseUint(value: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!UINT_RE.test(value) || !Number.isSafeInteger(n) || n > max) {
    throw new LabError(
      'invalid_caveat',
      `${what} must be an integer from 0 to ${max}, got ${preview(value)}`,
    );
  }
  return n;
}

/** Parses a price in msat: a positive safe integer. */
export function parsePrice(value: string, what: string): number {
  const n = parseUint(value, what);
  if (n === 0) throw new LabError('invalid_caveat', `${what} must be a positive msat amount, got 0`);
  return n;
}

/** Largest unix-seconds expiry whose millisecond value is still a safe integer. */
export const MAX_VALID_UNTIL_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * Parses a path prefix: absolute, no dot segments, written decoded (no '%'):
 * it is matched against request paths as the verifier reads them, escapes
 * decoded (infra/l402/request-path.ts), so an escape in it would never match.
 */
export function parsePathPrefix(value: string): string {
  if (value.includes('%')) {
    throw new LabError(
      'invalid_caveat',
      `path prefix ${preview(value)} holds '%': write it decoded (/v1/café, not /v1/caf%C3%A9): request paths are matched with their escapes decoded`,
    );
  }
  if (!value.startsWith('/') || /\s/.test(value) || hasDotSegmentOrEncoding(value)) {
    throw new LabError('invalid_caveat', `path prefix must be an absolute plain path, got ${preview(value)}`);
  }
  return value;
}

/** True when `path` is inside `prefix`, matching on whole segments ('/v1/x' covers '/v1/x/y', not '/v1/xy'). */
export function pathWithin(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || prefix.endsWith('/') || path[prefix.length] === '/';
}

/** True for '.', '..' segments and %2e / %2f escapes that could walk out of a prefix. */
export function hasDotSegmentOrEncoding(path: string): boolean {
  return /(^|\/)\.\.?(\/|$)/.test(path) || /%2[ef]/i.test(path) || path.includes('\\');
}

function listItem(item: unknown, re: RegExp, what: string): string {
  if (typeof item !== 'string' || !re.test(item)) {
    throw new LabError('invalid_caveat', `bad ${what} ${preview(item)}`);
  }
  return item;
}

function checkName(service: string): string {
  if (typeof service !== 'string' || !NAME_RE.test(service)) {
    throw new LabError('invalid_caveat', `bad service name ${preview(service)}`);
  }
  return service;
}

function nonEmpty<T>(items: readonly T[], what: string): readonly T[] {
  if (!Array.isArray(items) || items.length === 0)
    throw new LabError('invalid_caveat', `${what} list is empty`);
  return items;
}

/** Builders: each returns a validated `condition=value` string. */
export const caveats = {
  /** `services=name:tier[,…]`: which services (and tiers) the token opens. */
  services(list: readonly ServiceTier[]): string {
    const value = nonEmpty(list, 'services')
      .map(({ name, tier }) => {
        checkName(name);
        if (!Number.isInteger(tier) || tier < 0 || tier > 255) {
          throw new LabError('invalid_caveat', `tier of ${name} must be an integer 0..255, got ${tier}`);
        }
        return `${name}:${tier}`;
      })
      .join(',');
    return formatCaveat({ condition: SERVICES_CONDITION, value });
  },
  /** `<service>_capabilities=a,b`: the capabilities allowed (absent: all). */
  capabilities(service: string, list: readonly string[]): string {
    // Each item on its own: an item holding ',' would otherwise pass as two.
    const value = nonEmpty(list, 'capabilities')
      .map((c) => listItem(c, CAPABILITY_RE, 'capability'))
      .join(',');
    return formatCaveat({ condition: checkName(service) + CONDITION_SUFFIX.capabilities, value });
  },
  /** `<service>_valid_until=<unix seconds>`: expiry. */
  validUntil(service: string, unixSeconds: number): string {
    const value = String(unixSeconds);
    parseUint(value, 'valid_until', MAX_VALID_UNTIL_SECONDS);
    return formatCaveat({ condition: checkName(service) + CONDITION_SUFFIX.validUntil, value });
  },
  /** `<service>_max_calls=N`: at most N calls with this token (counted by the paywall). */
  maxCalls(service: string, n: number): string {
    const value = String(n);
    parseUint(value, 'max_calls');
    return formatCaveat({ condition: checkName(service) + CONDITION_SUFFIX.maxCalls, value });
  },
  /** `<service>_methods=GET,POST`: HTTP methods allowed. */
  methods(service: string, list: readonly string[]): string {
    const value = nonEmpty(list, 'methods')
      .map((m) => listItem(String(m).toUpperCase(), METHOD_RE, 'HTTP method'))
      .join(',');
    return formatCaveat({ condition: checkName(service) + CONDITION_SUFFIX.methods, value });
  },
  /** `<service>_price=<msat>`: the negotiated price the token's invoice was issued for. */
  price(service: string, msat: number): string {
    const value = String(msat);
    parsePrice(value, service + CONDITION_SUFFIX.price);
    return formatCaveat({ condition: checkName(service) + CONDITION_SUFFIX.price, value });
  },
  /** `<service>_path_prefix=/x`: request paths allowed (whole segments). */
  pathPrefix(service: string, prefix: string): string {
    return formatCaveat({
      condition: checkName(service) + CONDITION_SUFFIX.pathPrefix,
      value: parsePathPrefix(prefix),
    });
  },
};
