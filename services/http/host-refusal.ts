/**
 * The one wording of a `--host` a command could not listen on, as
 * port-refusal.ts words a port. Kept apart from listen.ts so a CLI can import
 * it before it loads its server.
 */
import { portRefusal } from './port-refusal.js';

const WHAT_TO_DO =
  'pass --host an address of this machine: 127.0.0.1 or ::1 (this machine only), 0.0.0.0 or :: (every interface)';

/** Why `listen` could not bind a host, by the error's code. */
const WHY: Record<string, string> = {
  ENOTFOUND: 'no such address',
  EAI_NONAME: 'no such address',
  EAI_FAIL: 'no such address',
  EAI_AGAIN: 'its name could not be resolved now (no name server answered)',
  EADDRNOTAVAIL: 'not an address of this machine',
  EINVAL:
    'the system refuses to listen on it (an IPv6 link-local address needs its interface, e.g. fe80::1%eth0)',
};

/**
 * What to tell the person who chose `--host host` when `listen` could not
 * bind it: `--host ::zz cannot be bound: no such address; pass --host an
 * address of this machine: …`. Undefined for any other error (a taken port
 * is `portRefusal`'s), which the caller reports as it is.
 */
export function hostRefusal(err: unknown, host: string): string | undefined {
  const e = err as (NodeJS.ErrnoException & { hostname?: string; address?: string }) | undefined;
  const why = typeof e?.code === 'string' ? WHY[e.code] : undefined;
  // Only the bind of `host` itself: its lookup (getaddrinfo) or its listen.
  const ofHost = e?.hostname === host || e?.address === host || e?.syscall === 'listen';
  return why && ofHost ? `--host ${host} cannot be bound: ${why}; ${WHAT_TO_DO}` : undefined;
}

/** `portRefusal`, else `hostRefusal`: what a command with --port and --host says when it cannot listen. */
export function listenRefusal(err: unknown, port: number, host: string): string | undefined {
  return portRefusal(err, port) ?? hostRefusal(err, host);
}
