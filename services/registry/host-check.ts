/**
 * Where a listing's host name resolves, checked when it is registered or
 * updated under the `public` address policy: buyers may send their tasks to
 * a listing before the prober first checks it (an unprobed listing counts as
 * alive), so a name resolving to loopback, a private network, link-local or
 * a reserved range is refused then, not only at the first probe. The name
 * resolves as the prober's does (`dns.lookup`, every address), on the
 * registry's clock within a time limit.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import type { Clock } from '../../infra/time/clock.js';
import { firstDisallowed, probeUrlRefusal, resolvedRefusal, type AddressPolicy } from './address-policy.js';
import type { ResolveAll } from './probe-fetch.js';
import type { SignedAction } from './signing.js';
import { addressFailure, checkSignature, fail } from './signed-writes.js';
import type { ListingFields, RegistryFailure } from './types.js';

/** Default time a listing's host name has to resolve at registration. */
export const RESOLVE_TIMEOUT_MS = 5_000;

/** How names resolve: the policy their addresses must pass, the resolver and its time limit on `clock`. */
export interface ResolveOptions {
  policy: AddressPolicy;
  clock: Clock;
  /** Name resolution (default `dns.lookup`, what the prober's sockets use). */
  lookup?: ResolveAll;
  /** Time a name has to resolve (default `RESOLVE_TIMEOUT_MS`). */
  timeoutMs?: number;
}

/**
 * The check of a signed listing's host name, or undefined when the policy
 * resolves nothing (`lab`, or no policy). It runs before the write's turn,
 * so a slow name delays no other write, and only for a request its claimed
 * key signed, so an unsigned one makes the registry look nothing up.
 */
export function listingHostCheck(
  o: Omit<ResolveOptions, 'policy'> & { policy: AddressPolicy | undefined; maxSkewMs: number },
): HostCheck | undefined {
  const { policy, clock, maxSkewMs } = o;
  if (policy !== 'public') return undefined;
  return (action, signature, listing) => {
    const host = nameOf(listing.url, policy);
    if (host === undefined) return undefined;
    if (checkSignature(action, signature, listing.nodePubkey, clock.now(), maxSkewMs)) return undefined;
    return resolvedHostRefusal(listing.url, host, { ...o, policy });
  };
}

/**
 * Why listing url `url` may not be listed once its host name `host` resolved (`forbidden_address`,
 * `unresolvable_host`), or may not be yet (`resolve_unavailable`: the lookup failed in a way that may pass),
 * or undefined.
 */
export async function resolvedHostRefusal(
  url: string,
  host: string,
  o: ResolveOptions,
): Promise<RegistryFailure | undefined> {
  const { policy, lookup = dnsLookup as ResolveAll, timeoutMs = RESOLVE_TIMEOUT_MS } = o;
  const r = await resolveWithin(lookup, host, o.clock, timeoutMs);
  if (!r.ok && r.known) return fail('unresolvable_host', unresolvable(url, host, r.why));
  // No answer, or a failure DNS may not repeat: unknown, so "send it again", never a final refusal.
  if (!r.ok) return fail('resolve_unavailable', `listing url ${url}: host ${host} ${r.why}; retry`);
  const bad = firstDisallowed(r.addresses, policy);
  return bad === undefined ? undefined : addressFailure(url, resolvedRefusal(host, bad, policy), policy);
}

/** Checks a signed listing's host name: its refusal, undefined when it passes; no promise when nothing is looked up. */
export type HostCheck = (
  action: SignedAction,
  signature: string,
  listing: ListingFields,
) => Promise<RegistryFailure | undefined> | undefined;

/** `write()` once `checked` passes (at once when nothing was checked), else its refusal. */
export function afterHostCheck<T>(
  checked: Promise<RegistryFailure | undefined> | undefined,
  write: () => Promise<T>,
): Promise<T | RegistryFailure> {
  return checked ? checked.then<T | RegistryFailure>((refused) => refused ?? write()) : write();
}

/** The host name of `url` to resolve: none for an IP literal or a url the policy refuses as written (the write's own checks say why). */
function nameOf(url: string, policy: AddressPolicy): string | undefined {
  if (probeUrlRefusal(url, policy) !== undefined) return undefined;
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? undefined : host;
}

function unresolvable(url: string, host: string, why: string): string {
  return `listing url ${url}: host ${host} ${why}; check the name's DNS records, or list a url whose host is a public IP address, then send it again`;
}

/** Resolver answers that say the name has no address (as opposed to a failure to find out). */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);

/** Every address `host` resolves to, or why not, within `ms` on `clock` (`known`: the name has none). */
function resolveWithin(
  lookup: ResolveAll,
  host: string,
  clock: Clock,
  ms: number,
): Promise<{ ok: true; addresses: LookupAddress[] } | { ok: false; known: boolean; why: string }> {
  return new Promise((resolve) => {
    const cancel = clock.setTimer(ms, () =>
      resolve({ ok: false, known: false, why: `did not resolve within ${ms} ms` }),
    );
    const failed = (err: NodeJS.ErrnoException) => {
      cancel();
      const known = err.code !== undefined && NO_SUCH_NAME.has(err.code);
      resolve({
        ok: false,
        known,
        why: `${known ? 'does not resolve' : 'could not be resolved'} (${err.code ?? err.message})`,
      });
    };
    try {
      lookup(host, { all: true }, (err, addresses) => {
        if (err) return failed(err);
        cancel();
        if (addresses.length === 0)
          resolve({ ok: false, known: true, why: 'does not resolve (no addresses)' });
        else resolve({ ok: true, addresses });
      });
    } catch (err) {
      failed(err as Error); // a name the resolver refuses outright
    }
  });
}
