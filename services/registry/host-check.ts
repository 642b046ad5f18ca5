/**
 * Where a listing's host name resolves, checked when it is registered or
 * updated under the `public` address policy: buyers may send their tasks to
 * a listing before the prober first checks it (an unprobed listing counts as
 * alive), so a name resolving to loopback, a private network, link-local or
 * a reserved range is refused then, not only at the first probe. Every
 * address of the name is checked (DNS through c-ares by default, see
 * name-resolution.ts), on the registry's clock within a time limit, and at
 * most `atOnce` names resolve at a time: a registration beyond that is
 * answered 503 at once, so names nobody answers for cannot pile up lookups.
 */
import { isIP } from 'node:net';
import type { Clock } from '../../infra/time/clock.js';
import { firstDisallowed, probeUrlRefusal, resolvedRefusal, type AddressPolicy } from './address-policy.js';
import { dnsResolve, RESOLVE_TIMEOUT_MS, resolveName, type StoppableResolve } from './name-resolution.js';
import { addressFailure, fail } from './signed-writes.js';
import type { RegistryFailure } from './types.js';

/**
 * Default most host names resolving at once. A lookup holds a UDP socket on the event loop, no
 * thread; 8 keeps that bounded, and a registrant wanting to keep honest names out must send more
 * than one signed registration a second of names that never resolve. The prober's lookups are not
 * counted (its concurrency bounds them), so full places keep no probe from resolving.
 */
export const RESOLVING_AT_ONCE = 8;

/** How `HostCheck` resolves: the policy, the clock of its time limit, the resolver and the bounds. */
export interface HostCheckOptions {
  policy: AddressPolicy | undefined;
  clock: Clock;
  /** The resolver (default `dnsResolve()`: DNS through c-ares, stopped at the time limit). */
  resolve?: StoppableResolve;
  /** Time a name has to resolve (default `RESOLVE_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Most names resolving at once, each until its resolver ends (default `RESOLVING_AT_ONCE`). */
  atOnce?: number;
}

/** The check of listings' host names; undefined when the policy resolves nothing (`lab`, or no policy). */
export function listingHostCheck(o: HostCheckOptions): HostCheck | undefined {
  checkAtOnce(o.atOnce); // under any policy: a bad bound is a mistake wherever it is given
  return o.policy === 'public' ? new HostCheck({ ...o, policy: o.policy }) : undefined;
}

/** Throws a RangeError when `atOnce` (`maxResolving`) is given and is not a positive integer. */
function checkAtOnce(atOnce: number | undefined): void {
  if (atOnce !== undefined && (!Number.isSafeInteger(atOnce) || atOnce < 1))
    throw new RangeError(
      `maxResolving (host names resolving at once) must be a positive integer, got ${atOnce}`,
    );
}

/** Resolves listings' host names under `public` and says which may not be listed. */
export class HostCheck {
  readonly #policy: AddressPolicy;
  readonly #clock: Clock;
  readonly #resolve: StoppableResolve;
  readonly #timeoutMs: number;
  readonly #atOnce: number;
  #resolving = 0;

  constructor(o: HostCheckOptions & { policy: AddressPolicy }) {
    const { atOnce = RESOLVING_AT_ONCE } = o;
    checkAtOnce(atOnce);
    this.#policy = o.policy;
    this.#clock = o.clock;
    this.#resolve = o.resolve ?? dnsResolve();
    this.#timeoutMs = o.timeoutMs ?? RESOLVE_TIMEOUT_MS;
    this.#atOnce = atOnce;
  }

  /** The host name of `url` to resolve: none for an IP literal or a url the policy refuses as written (the write's own checks say why). */
  nameOf(url: string): string | undefined {
    if (probeUrlRefusal(url, this.#policy) !== undefined) return undefined;
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    return isIP(host) ? undefined : host;
  }

  /**
   * Why listing url `url` may not be listed once its host name `host` resolved (`forbidden_address`, or
   * `unresolvable_host`: no such name, or not a valid one), or may not be yet (`resolve_unavailable`: the
   * registry is resolving `atOnce` names already, or the lookup failed in a way that may pass), or undefined.
   */
  async refusal(url: string, host: string): Promise<RegistryFailure | undefined> {
    const invalid = invalidName(host);
    if (invalid) return fail('unresolvable_host', `listing url ${url}: host ${invalid}${VALID_NAME}`);
    if (this.#resolving >= this.#atOnce)
      return fail(
        'resolve_unavailable',
        `listing url ${url}: the registry is resolving too many host names (${this.#atOnce} at once); retry`,
      );
    this.#resolving++;
    const r = await resolveName(host, {
      resolve: this.#resolve,
      clock: this.#clock,
      timeoutMs: this.#timeoutMs,
      ended: () => this.#resolving--,
    });
    if (!r.ok && r.invalid)
      return fail('unresolvable_host', `listing url ${url}: host ${host} ${r.why}${VALID_NAME}`);
    if (!r.ok && r.known)
      return fail('unresolvable_host', `listing url ${url}: host ${host} ${r.why}${NO_NAME}`);
    // No answer, or a failure DNS may not repeat: unknown, so "send it again", never a final refusal.
    if (!r.ok) return fail('resolve_unavailable', `listing url ${url}: host ${host} ${r.why}; retry`);
    const bad = firstDisallowed(r.addresses, this.#policy);
    return bad === undefined
      ? undefined
      : addressFailure(url, resolvedRefusal(host, bad, this.#policy), this.#policy);
  }
}

const NO_NAME =
  "; check the name's DNS records, or list a url whose host is a public IP address, then send it again";
const VALID_NAME =
  '; list a url whose host is a DNS name (at most 253 characters, labels of 1 to 63) or a public IP address';

/** Why `host` is no DNS name, said before any lookup, or undefined. */
function invalidName(host: string): string | undefined {
  const name = host.replace(/\.$/, '');
  if (name.length > 253) return `name is ${name.length} characters long, over the 253 a DNS name may have`;
  const label = name.split('.').find((l) => l.length === 0 || l.length > 63);
  return label === undefined ? undefined : `${host} has a label of ${label.length} characters, not 1 to 63`;
}
