/**
 * Which URLs the `l402_fetch` tool sends a request to. The model names the
 * URL, and what a seller wrote can steer the model, so a URL is checked before
 * anything is sent, whatever the payment policy says (a policy is asked only
 * on a 402: a free 200 from any host would be fetched and handed back). The
 * address rules are the registry's (services/registry/address-policy.ts): an
 * http(s) URL without credentials whose host, an IP address or every address
 * its name resolves to (the registry's name resolution: DNS through c-ares,
 * `localhost` names loopback), the policy allows; `public` (the default)
 * allows global unicast addresses only, `lab` adds loopback and private ones.
 * With `origins`, only those origins are fetched.
 *
 * The addresses are checked, not pinned: the client's `fetch` resolves the
 * name again when it connects. A name whose DNS answer changes in between
 * (rebinding) needs a `fetch` that connects only to addresses it checked.
 */
import { isIP } from 'node:net';
import { systemClock, type Clock } from '../../infra/time/clock.js';
import {
  firstDisallowed,
  probeUrlRefusal,
  resolvedRefusal,
  type AddressPolicy,
} from '../../services/registry/address-policy.js';
import {
  RESOLVE_TIMEOUT_MS,
  resolveName,
  resolverOf,
  type ResolveAll,
} from '../../services/registry/name-resolution.js';

/** Where `l402_fetch` may send requests. */
export interface ToolUrlOptions {
  /**
   * Which addresses a URL may name (default `public`: global unicast only). `lab` adds loopback and
   * private networks, for sellers on this machine or a lab network. Link-local (cloud metadata),
   * unspecified, multicast and reserved addresses are never allowed.
   */
  addressPolicy?: AddressPolicy;
  /** The only origins fetched (`http://host[:port]`); default any origin the address policy allows. */
  origins?: readonly string[];
  /** How host names resolve, shaped as `dns.lookup` (tests). Default: DNS through c-ares, as the registry does. */
  resolve?: ResolveAll;
  /** The clock of a lookup's time limit (`RESOLVE_TIMEOUT_MS`; default the wall clock). */
  clock?: Clock;
}

/** Why `url` is not fetched, or undefined when it may be. */
export type ToolUrlCheck = (url: string, signal?: AbortSignal) => Promise<string | undefined>;

/** The check of every URL the tool is asked to fetch, under `o`; throws on an `origins` entry that is no http(s) origin. */
export function toolUrlCheck(o: ToolUrlOptions = {}): ToolUrlCheck {
  const policy = o.addressPolicy ?? 'public';
  const origins = o.origins && new Set(o.origins.map(originOf));
  const resolving = {
    resolve: resolverOf(o.resolve ? { lookup: o.resolve } : {}),
    clock: o.clock ?? systemClock,
    timeoutMs: RESOLVE_TIMEOUT_MS,
  };
  return async (url, signal) => {
    const why = probeUrlRefusal(url, policy);
    if (why) return why;
    const u = new URL(url);
    if (origins && !origins.has(u.origin)) return `origin ${u.origin} is not one this tool may fetch`;
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) return undefined; // checked by probeUrlRefusal
    const r = await resolveName(host, { ...resolving, ...(signal && { signal }) });
    if (!r.ok) return `host ${host} ${r.why}`;
    const bad = firstDisallowed(r.addresses, policy);
    return bad === undefined ? undefined : resolvedRefusal(host, bad, policy);
  };
}

/** The origin an `origins` entry names: an http(s) URL of scheme, host and port only. */
function originOf(entry: string): string {
  const u = URL.canParse(entry) ? new URL(entry) : undefined;
  const bare = u && (u.protocol === 'http:' || u.protocol === 'https:') && `${u.origin}/` === u.href;
  if (!bare)
    throw new RangeError(
      `origins: ${JSON.stringify(entry)} is not an http(s) origin; give scheme, host and port only, e.g. https://api.example.com`,
    );
  return u.origin;
}
