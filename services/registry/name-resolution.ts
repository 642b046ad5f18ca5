/**
 * How the registration check resolves a listing's host name. By default it
 * asks DNS through c-ares (`node:dns` `Resolver`), not `dns.lookup`:
 * getaddrinfo runs on libuv's threadpool (at most 2 of its 4 threads do DNS),
 * cannot be stopped, and keeps its thread until the system resolver gives up
 * (about 10 s against a nameserver that never answers), so names a registrant
 * picks would take the threads the prober and the rest of the process resolve
 * with. A c-ares query runs on the event loop and ends when it is stopped. It
 * reads no /etc/hosts: the check sees what DNS says, as buyers elsewhere do;
 * the prober still resolves with `dns.lookup` where its socket connects, and
 * refuses there what the policy forbids.
 */
import { Resolver, type LookupAddress } from 'node:dns';
import type { ResolveAll } from './probe-fetch.js';

type Done = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
 * Starts resolving every address of `host`, calling `done` once, and returns what stops it at once
 * (`done` may still be called, with an error), or undefined when it cannot be stopped.
 */
export type StoppableResolve = (host: string, done: Done) => (() => void) | undefined;

/** DNS answers that say the name has no address of a family. */
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA']);

/** Every A and AAAA address of a name from DNS, asking `servers` (default the system's, from /etc/resolv.conf). */
export function dnsResolve(servers?: readonly string[]): StoppableResolve {
  if (servers) new Resolver().setServers(servers); // a bad server address fails here, not at each lookup
  return (host, done) => {
    const resolver = new Resolver();
    if (servers) resolver.setServers(servers);
    const answers: [Answer?, Answer?] = [];
    const answer = (i: 0 | 1, family: 4 | 6) => (err: NodeJS.ErrnoException | null, found: string[]) => {
      answers[i] = err ? { err } : { addresses: found.map((address) => ({ address, family })) };
      if (answers[0] && answers[1]) done(...both(answers[0], answers[1]));
    };
    resolver.resolve4(host, answer(0, 4));
    resolver.resolve6(host, answer(1, 6));
    return () => resolver.cancel();
  };
}

type Answer = { err: NodeJS.ErrnoException } | { addresses: LookupAddress[] };

/** The name's addresses of both families; a family whose lookup failed leaves them unknown. */
function both(a: Answer, aaaa: Answer): [NodeJS.ErrnoException | null, LookupAddress[]] {
  for (const x of [a, aaaa]) if ('err' in x && !NO_ADDRESS.has(x.err.code ?? '')) return [x.err, []];
  const addresses = [a, aaaa].flatMap((x) => ('addresses' in x ? x.addresses : []));
  if (addresses.length > 0 || !('err' in a)) return [null, addresses];
  return [a.err, []];
}

/** A resolver shaped as `dns.lookup` (what tests inject): it cannot be stopped, so it ends when it answers. */
export function fromLookup(lookup: ResolveAll): StoppableResolve {
  return (host, done) => void lookup(host, { all: true }, done);
}
