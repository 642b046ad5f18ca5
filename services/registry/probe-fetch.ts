import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { Agent, fetch as undiciFetch } from 'undici';
import type { AddressPolicy } from './address-policy.js';
import { firstDisallowed, resolvedRefusal } from './address-policy.js';
import { isLabError, LabError } from '../../infra/errors.js';

/** The refusal (as the `cause` of a failed fetch) when a host resolves to an address the policy forbids. */
export type ForbiddenAddressError = LabError<'forbidden_address'>;

function forbiddenAddress(host: string, address: string, policy: AddressPolicy): ForbiddenAddressError {
  return new LabError('forbidden_address', resolvedRefusal(host, address, policy));
}

/** `dns.lookup` with `all: true`, the only form the guard calls. */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Options of `createProbeFetch`. */
export interface ProbeFetchOptions {
  policy: AddressPolicy;
  /** Name resolution (default `dns.lookup`); every address it returns must pass the policy. */
  resolve?: ResolveAll;
  /** Largest response header block (default 16 KiB). */
  maxHeaderSize?: number;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * The fetch the health prober uses on sockets: the address check runs where
 * the connection is made (the socket's own lookup), so a name that resolves
 * to a forbidden address is refused even if it resolved differently a moment
 * before (DNS rebinding). Redirects are never followed and the body is never
 * read; the answer keeps only status and headers.
 */
export function createProbeFetch({
  policy,
  resolve = dnsLookup as ResolveAll,
  maxHeaderSize = 16 * 1024,
}: ProbeFetchOptions): (req: Request) => Promise<Response> {
  const lookup = (hostname: string, options: LookupOneOptions | LookupAllOptions, cb: LookupCallback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const bad = firstDisallowed(addresses, policy);
      if (bad !== undefined || addresses.length === 0)
        return cb(forbiddenAddress(hostname, bad ?? 'nothing', policy), []);
      if (options.all) return cb(null, addresses);
      return cb(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const dispatcher = new Agent({ connect: { lookup }, maxHeaderSize });
  return async function probeFetch(req: Request): Promise<Response> {
    const res = await undiciFetch(req.url, {
      method: req.method,
      headers: [...req.headers],
      redirect: 'manual',
      signal: req.signal,
      dispatcher,
    });
    await res.body?.cancel().catch(() => undefined);
    return new Response(null, { status: res.status, headers: [...res.headers] });
  };
}

/** The forbidden-address refusal in an error's cause chain, if any. */
export function forbiddenAddressIn(err: unknown): ForbiddenAddressError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (isLabError(e, 'forbidden_address')) return e;
  return undefined;
}
