import { LabError } from '../../infra/errors.js';
import { reservationIssuer, type Decision, type PaymentPolicy, type Offer } from './types.js';

/**
 * What a list matches on; every field is optional. Payees and hosts compare
 * case-insensitively. A `hosts` entry is a host name (any port) or
 * `host:port` (that port only), compared with the offer URL's host name
 * lowercased, its trailing dot dropped, on the URL's port or its scheme's
 * default (http 80, https 443).
 */
export interface ListParams {
  services?: string[];
  payees?: string[];
  hosts?: string[];
  categories?: string[];
}

/** What a `hosts` entry must be, for the error a bad one gets. */
const HOST_ENTRY_RULE = 'must be a host name or host:port (no scheme, path or user)';

/** The offer's value in one dimension: as a reason shows it, and the keys it matches the list by. */
type Match = { shown: string; keys: string[] };

/** How a dimension reads its value from an offer. */
type Field = (q: Offer) => string | undefined;

type Dimension = { field: string; values: Set<string>; of: (q: Offer) => Match | undefined };

function dimensions(p: ListParams): Dimension[] {
  const dims: Dimension[] = [];
  const add = (field: string, values: string[] | undefined, of: Field, norm = (s: string) => s) => {
    if (values) dims.push({ field, values: new Set(values.map(norm)), of: (q) => one(of(q), norm) });
  };
  const lower = (s: string) => s.toLowerCase();
  add('service', p.services, (q) => q.service);
  add('payee', p.payees, (q) => q.payee, lower);
  if (p.hosts) dims.push({ field: 'host', values: new Set(p.hosts.map(hostEntryOrThrow)), of: offerHost });
  add('category', p.categories, (q) => q.category);
  return dims;
}

function one(v: string | undefined, norm: (s: string) => string): Match | undefined {
  return v === undefined ? undefined : { shown: norm(v), keys: [norm(v)] };
}

/** Default ports of the schemes a seller is reached on. */
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** A host name as lists compare it: lowercased (the URL parser's canonical form), trailing dots dropped. */
function canonicalHost(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '');
}

/** The offer's host name, and its `host:port` on the URL's effective port; undefined for an unreadable URL. */
function offerHost(q: Offer): Match | undefined {
  let url: URL;
  try {
    url = new URL(q.url);
  } catch {
    return undefined;
  }
  const name = canonicalHost(url.hostname);
  const shown = url.port ? `${name}:${url.port}` : name;
  const port = url.port || DEFAULT_PORTS[url.protocol];
  return { shown, keys: port === undefined ? [name] : [name, `${name}:${port}`] };
}

/**
 * A `hosts` entry as lists keep it: `name` or `name:port`, the name
 * canonical (as the URL parser reads it, lowercased, trailing dots dropped).
 * Undefined when the entry is not a host name or `host:port`.
 */
function hostEntry(entry: string): string | undefined {
  const m = /^(.+?)(?::(\d{1,5}))?$/.exec(entry);
  if (!m || /[\s/?#@\\]/.test(entry)) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65_535) return undefined;
  let name: string;
  try {
    name = canonicalHost(new URL(`http://${m[1]}/`).hostname);
  } catch {
    return undefined;
  }
  if (name === '') return undefined;
  return port === undefined ? name : `${name}:${port}`;
}

function hostEntryOrThrow(entry: string): string {
  const key = hostEntry(entry);
  if (key === undefined)
    throw new LabError(
      'invalid_policy_spec',
      `invalid policy spec: hosts entry '${entry}' ${HOST_ENTRY_RULE}`,
    );
  return key;
}

/** True when any of the offer's keys for `d` is on the list. */
function listed(d: Dimension, v: Match): boolean {
  return v.keys.some((k) => d.values.has(k));
}

/**
 * Pays only sellers on the list: every dimension given (services, payees,
 * hosts, categories) must contain the offer's value. An unknown value (no
 * service name, say) is not on the list. Throws LabError
 * ('invalid_policy_spec') for a `hosts` entry that is not a host.
 */
export function allowlist(params: ListParams): PaymentPolicy {
  const dims = dimensions(params);
  const issue = reservationIssuer('allowlist');
  return {
    name: 'allowlist',
    authorize(q, ctx): Decision {
      for (const d of dims) {
        const v = d.of(q);
        if (v === undefined || !listed(d, v)) {
          return {
            kind: 'deny',
            outcome: 'policy_denied',
            policy: 'allowlist',
            reason: `allowlist: ${d.field} ${v === undefined ? '(unknown)' : `'${v.shown}'`} is not allowed`,
          };
        }
      }
      return { kind: 'allow', reservation: issue(q.amountMsat + q.maxFeeMsat, ctx.nowMs) };
    },
    settle: () => {},
    release: () => {},
    describe: () => `allowlist: ${JSON.stringify(params)}`,
  };
}

/**
 * Never pays a seller that matches any listed service, payee, host or
 * category. An offer whose URL cannot be read is refused by a list of hosts.
 * Throws LabError ('invalid_policy_spec') for a `hosts` entry that is not a host.
 */
export function denylist(params: ListParams): PaymentPolicy {
  const dims = dimensions(params);
  const issue = reservationIssuer('denylist');
  return {
    name: 'denylist',
    authorize(q, ctx): Decision {
      for (const d of dims) {
        const v = d.of(q);
        const unreadable = v === undefined && d.field === 'host';
        if (unreadable || (v !== undefined && listed(d, v))) {
          return {
            kind: 'deny',
            outcome: 'policy_denied',
            policy: 'denylist',
            reason: `denylist: ${d.field} ${v === undefined ? '(unreadable)' : `'${v.shown}'`} is denied`,
          };
        }
      }
      return { kind: 'allow', reservation: issue(q.amountMsat + q.maxFeeMsat, ctx.nowMs) };
    },
    settle: () => {},
    release: () => {},
    describe: () => `denylist: ${JSON.stringify(params)}`,
  };
}
