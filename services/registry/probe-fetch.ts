import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { isLabError, LabError } from '../../infra/errors.js';
import { systemClock, type Clock } from '../../infra/time/clock.js';
import type { AddressPolicy } from './address-policy.js';
import { firstDisallowed, resolvedRefusal } from './address-policy.js';
import { RESOLVE_TIMEOUT_MS, resolveName, resolverOf, type ResolveAll } from './name-resolution.js';

export type { ResolveAll } from './name-resolution.js';

/**
 * Why a probe fetch did not connect, as the `cause` of its failure: the name resolves to an address
 * the policy forbids (`forbidden_address`), DNS says it has no address or it is no name
 * (`unresolvable_host`), the lookup failed in a way that may pass (`resolve_failed`: a nameserver
 * refused or failed), or it had no answer within its time limit or the probe's (`resolve_timeout`).
 */
export type ProbeRefusal = LabError<ProbeRefusalCode>;
export type ProbeRefusalCode =
  'forbidden_address' | 'unresolvable_host' | 'resolve_failed' | 'resolve_timeout';
/** The forbidden-address refusal. */
export type ForbiddenAddressError = LabError<'forbidden_address'>;

const REFUSALS: readonly ProbeRefusalCode[] = [
  'forbidden_address',
  'unresolvable_host',
  'resolve_failed',
  'resolve_timeout',
];

/** Options of `createProbeFetch`. */
export interface ProbeFetchOptions {
  policy: AddressPolicy;
  /**
   * Name resolution shaped as `dns.lookup` (tests): it cannot be stopped. Default: DNS through
   * c-ares (`dnsResolve`), asking `nameservers`, the registration check's code.
   */
  resolve?: ResolveAll;
  /** The DNS servers to ask (IP addresses, each with an optional port; default the system's, from /etc/resolv.conf). */
  nameservers?: readonly string[];
  /** The clock of the lookup's time limit (default the wall clock). */
  clock?: Clock;
  /** Time a host name has to resolve (default `RESOLVE_TIMEOUT_MS`); the request's signal stops it sooner. */
  resolveTimeoutMs?: number;
  /** Largest response header block (default 16 KiB). */
  maxHeaderSize?: number;
}

/**
 * The fetch the health prober uses on sockets. It resolves the URL's host
 * name itself (every address, through the registry's name resolution:
 * c-ares, stopped at its time limit or when the request's signal aborts, no
 * libuv thread), checks every address against the policy, and connects only
 * to those addresses, so the check and the connection see the same address
 * (no DNS rebinding in between); the request still names the host (Host
 * header, TLS SNI). Each request has its own connection. Redirects are never
 * followed and the body is never read; the answer keeps only status and
 * headers. A refusal fails the fetch as `TypeError('fetch failed')` whose
 * `cause` is a `ProbeRefusal`.
 */
export function createProbeFetch(o: ProbeFetchOptions): (req: Request) => Promise<Response> {
  const { policy, maxHeaderSize = 16 * 1024 } = o;
  const resolve = resolverOf({
    ...(o.resolve && { lookup: o.resolve }),
    ...(o.nameservers && { nameservers: o.nameservers }),
  });
  const resolving = {
    resolve,
    clock: o.clock ?? systemClock,
    timeoutMs: o.resolveTimeoutMs ?? RESOLVE_TIMEOUT_MS,
  };
  const addressesOf = async (host: string, signal: AbortSignal): Promise<LookupAddress[]> => {
    const family = isIP(host);
    const r = family
      ? { ok: true as const, addresses: [{ address: host, family }] }
      : await resolveName(host, { ...resolving, signal });
    if (!r.ok) {
      const code = r.timedOut ? 'resolve_timeout' : r.known ? 'unresolvable_host' : 'resolve_failed';
      throw refused(code, `host ${host} ${r.why}`);
    }
    const bad = firstDisallowed(r.addresses, policy);
    if (bad !== undefined) throw refused('forbidden_address', resolvedRefusal(host, bad, policy));
    return r.addresses;
  };
  return async function probeFetch(req: Request): Promise<Response> {
    const addresses = await addressesOf(new URL(req.url).hostname.replace(/^\[(.*)\]$/, '$1'), req.signal);
    const dispatcher = new Agent({ connect: { lookup: pinned(addresses) }, maxHeaderSize });
    try {
      const res = await undiciFetch(req.url, {
        method: req.method,
        headers: [...req.headers],
        redirect: 'manual',
        signal: req.signal,
        dispatcher,
      });
      await res.body?.cancel().catch(() => undefined);
      return new Response(null, { status: res.status, headers: [...res.headers] });
    } finally {
      void dispatcher.destroy().catch(() => undefined);
    }
  };
}

function refused(code: ProbeRefusalCode, message: string): TypeError {
  return new TypeError('fetch failed', { cause: new LabError(code, message) });
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** The socket's lookup: the addresses already checked, whatever name it is asked for. */
function pinned(addresses: LookupAddress[]) {
  return (_host: string, options: LookupOneOptions | LookupAllOptions, cb: LookupCallback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const fit = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
    if (fit.length === 0)
      return cb(Object.assign(new Error(`no IPv${wanted} address`), { code: 'ENOTFOUND' }), []);
    if (options.all) return cb(null, fit);
    return cb(null, fit[0]!.address, fit[0]!.family);
  };
}

/** The probe fetch's refusal in an error's cause chain, if any. */
export function probeRefusalIn(err: unknown): ProbeRefusal | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (isLabError(e, ...REFUSALS)) return e;
  return undefined;
}

/** The forbidden-address refusal in an error's cause chain, if any. */
export function forbiddenAddressIn(err: unknown): ForbiddenAddressError | undefined {
  const r = probeRefusalIn(err);
  return r && isLabError(r, 'forbidden_address') ? r : undefined;
}
