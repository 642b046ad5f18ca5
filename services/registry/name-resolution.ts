/**
 * How the registry resolves listings' host names, both when a listing is
 * registered (host-check.ts) and where the prober connects (probe-fetch.ts).
 * By default it asks DNS through c-ares (`node:dns` `Resolver`), not
 * `dns.lookup`: getaddrinfo runs on libuv's threadpool (at most 2 of its 4
 * threads do DNS), cannot be stopped, and keeps its thread until the system
 * resolver gives up (about 10 s against a nameserver that never answers), so
 * names a registrant picks would take the threads the rest of the process
 * resolves with. A c-ares query runs on the event loop and ends when it is
 * stopped. It reads no /etc/hosts: the registry sees what DNS says, as buyers
 * elsewhere do; `localhost` names are loopback without a lookup (RFC 6761).
 */
import { Resolver, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Clock } from '../../infra/time/clock.js';
import { isLocalhostName } from './address-policy.js';

/** `dns.lookup` with `all: true`, the only form the registry calls (what tests inject). */
export type ResolveAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type Done = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/**
 * Starts resolving every address of `host`, calling `done` once, and returns what stops it at once
 * (`done` may still be called, with an error), or undefined when it cannot be stopped.
 */
export type StoppableResolve = (host: string, done: Done) => (() => void) | undefined;

/** Default time a host name has to resolve. */
export const RESOLVE_TIMEOUT_MS = 5_000;

/** DNS answers that say the name has no address of a family. */
const NO_ADDRESS = new Set(['ENOTFOUND', 'ENODATA']);

/** Every A and AAAA address of a name from DNS, asking `servers` (default the system's, from /etc/resolv.conf). */
export function dnsResolve(servers?: readonly string[]): StoppableResolve {
  for (const s of servers ?? []) {
    const why = nameserverRefusal(s);
    if (why) throw new RangeError(`nameserver ${why}`);
  }
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

/** The resolver of `lookup` when one is given (tests), else DNS through c-ares asking `nameservers`. */
export function resolverOf(o: { lookup?: ResolveAll; nameservers?: readonly string[] }): StoppableResolve {
  return o.lookup ? fromLookup(o.lookup) : dnsResolve(o.nameservers);
}

/**
 * Why `server` cannot be a nameserver to ask, or undefined: it must be an IP address with an optional
 * port 1..65535 (`192.0.2.1`, `192.0.2.1:53`, `2001:db8::1`, `[2001:db8::1]:53`). c-ares takes more
 * (a port 0 aborts the process), so every nameserver is checked here first.
 */
export function nameserverRefusal(server: string): string | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(server) ?? /^([^:]+):(\d+)$/.exec(server);
  const [ip, port] = m ? [m[1]!, m[2]] : [server, undefined];
  if (isIP(ip) === 0)
    return `${JSON.stringify(server)} is not an IP address; give one as 192.0.2.1, 192.0.2.1:53, 2001:db8::1 or [2001:db8::1]:53`;
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
    return `${JSON.stringify(server)} has port ${port}, not 1..65535`;
  return undefined;
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

/**
 * Every address a name resolved to, or why not: `known`, DNS says it has none; `invalid`, it is no
 * name; `timedOut`, no answer within the time limit or before the caller stopped waiting.
 */
export type Resolved =
  | { ok: true; addresses: LookupAddress[] }
  | { ok: false; known: boolean; invalid: boolean; timedOut: boolean; why: string };

/** How `resolveName` resolves and how long it waits. */
export interface ResolveNameOptions {
  resolve: StoppableResolve;
  /** The clock of the time limit. */
  clock: Clock;
  /** Time the name has to resolve. */
  timeoutMs: number;
  /** Stops the lookup sooner (the request it is for was given up). */
  signal?: AbortSignal;
  /** Called once the lookup no longer runs: when it answers, or when it is stopped (an unstoppable one runs until it answers). */
  ended?: () => void;
}

/** Loopback, the addresses of a `localhost` name. */
const LOOPBACK: LookupAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];

/** Every address `host` resolves to, or why not, within `o.timeoutMs` on `o.clock` (see `Resolved`). */
export function resolveName(host: string, o: ResolveNameOptions): Promise<Resolved> {
  const { resolve, clock, timeoutMs: ms, signal, ended = () => undefined } = o;
  const given = isLocalhostName(host)
    ? ({ ok: true, addresses: LOOPBACK } as const)
    : signal?.aborted
      ? gaveUp(GIVEN_UP)
      : undefined;
  if (given) {
    ended();
    return Promise.resolve(given);
  }
  return new Promise((settle) => {
    let stop: (() => void) | undefined;
    let running = true;
    const finish = (r: Resolved, givingUp: boolean) => {
      cancel();
      signal?.removeEventListener('abort', aborted);
      settle(r);
      if (givingUp && !stop) return; // a lookup that cannot be stopped runs on, and ends when it answers
      if (givingUp) stop!();
      if (running) ended();
      running = false;
    };
    const cancel = clock.setTimer(ms, () => finish(gaveUp(`did not resolve within ${ms} ms`), true));
    const aborted = () => finish(gaveUp(GIVEN_UP), true);
    signal?.addEventListener('abort', aborted, { once: true });
    const answered = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) =>
      finish(resolvedOf(err, addresses), false);
    try {
      stop = resolve(host, answered);
    } catch (err) {
      answered(err as Error, []); // a name the resolver refuses outright
    }
  });
}

const GIVEN_UP = 'was not resolved before the request was given up';

const gaveUp = (why: string): Resolved => ({ ok: false, known: false, invalid: false, timedOut: true, why });

/** Resolver answers that say the name has no address (as opposed to a failure to find out). */
const NO_SUCH_NAME = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA']);
/** Resolver refusals of the name itself: asking again cannot help. */
const BAD_NAME = new Set(['EINVAL', 'EBADNAME', 'EBADQUERY', 'EBADSTR']);

function resolvedOf(err: NodeJS.ErrnoException | null, addresses: LookupAddress[]): Resolved {
  const failed = { ok: false, timedOut: false } as const;
  if (!err && addresses.length > 0) return { ok: true, addresses };
  if (!err) return { ...failed, known: true, invalid: false, why: 'does not resolve (no addresses)' };
  const code = err.code ?? err.message;
  if (BAD_NAME.has(code))
    return { ...failed, known: true, invalid: true, why: `is not a valid host name (${code})` };
  const known = NO_SUCH_NAME.has(code);
  return {
    ...failed,
    known,
    invalid: false,
    why: `${known ? 'does not resolve' : 'could not be resolved'} (${code})`,
  };
}
