import type { Logger } from '../../infra/log.js';
import type { Network } from '../../infra/lightning/node.js';
import type { Rng } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { AddressPolicy } from './address-policy.js';
import type { ResolveAll } from './name-resolution.js';
import type { RegistryOrigins } from './registry-origin.js';
import type { RegistryStore } from './store.js';

/** What the registry needs from its surroundings. */
export interface RegistryDeps {
  clock: Clock;
  store?: RegistryStore;
  logger?: Logger;
  /** The Lightning network the listed sellers sell on: ratings need a paid invoice of this network. */
  network: Network;
  /** How far a signed request's `signedAt` may be from the registry's clock (default 10 minutes). */
  maxSkewMs?: number;
  /** How old an invoice may be to back a rating (default 7 days). */
  maxInvoiceAgeMs?: number;
  /** Draws for `sort=random` and `ties=random` (default: a stream seeded from the OS; the simulator passes a seeded one). */
  rng?: Rng;
  /**
   * Which addresses a listing's url may name (`public`: no loopback, private,
   * link-local or reserved IP literal or `localhost` name; `lab`: those too).
   * Buyers send their tasks to the url, so a public registry must not point
   * them at their own machine or network. Default: not checked (in-process
   * registries of a lab); the registry server passes its policy.
   */
  addressPolicy?: AddressPolicy;
  /**
   * The origins this registry is addressed at (`https://registry.example`), or a function reading
   * them at each write: every signed write (registration, update, removal, rating) must name one of
   * them, else it is refused 403 `wrong_registry`, so a write sent to one registry cannot be replayed
   * to another (registry-origin.ts). Default: not checked (in-process registries of a lab); the
   * registry server passes its own (`--public-url`, or the address it listens on).
   */
  origins?: RegistryOrigins;
  /**
   * Under the `public` policy, a listing's host name is resolved when it is registered or updated:
   * a name resolving to any address the policy does not allow is refused 400 `forbidden_address`,
   * one that does not exist or is no valid name 400 `unresolvable_host`, a lookup that may pass
   * 503 `resolve_unavailable`. By default DNS answers through c-ares (`dnsResolve`, no libuv
   * thread, stopped at the time limit), asking `nameservers` (default the system's). A `lookup`
   * given instead (tests) cannot be stopped: each holds its place among `maxResolving` until it answers.
   */
  lookup?: ResolveAll;
  /**
   * The DNS servers the check asks (an IP address with an optional port, see `nameserverRefusal`;
   * default the system's, from /etc/resolv.conf); a registry server's prober asks them too.
   */
  nameservers?: string[];
  /** Time a listing's host name has to resolve (default `RESOLVE_TIMEOUT_MS`, 5 s, on `clock`). */
  resolveTimeoutMs?: number;
  /**
   * Most host names resolving at once (default `RESOLVING_AT_ONCE`, 8); a registration or update
   * beyond it is 503 `resolve_unavailable` at once, its name not looked up.
   */
  maxResolving?: number;
  /**
   * Most listings one node key may hold (default `LISTINGS_PER_KEY`), in all
   * (default `LISTINGS_IN_ALL`), and rating records one listing keeps
   * (default `RATINGS_PER_LISTING`).
   */
  limits?: Partial<RegistryLimits>;
}

/** The registry's bounds on what writers can make it keep (see `RegistryDeps.limits`). */
export interface RegistryLimits {
  listingsPerKey: number;
  listings: number;
  ratingsPerListing: number;
}

/** `limits` over the defaults. */
export function registryLimits(limits: Partial<RegistryLimits> = {}): RegistryLimits {
  return {
    listingsPerKey: LISTINGS_PER_KEY,
    listings: LISTINGS_IN_ALL,
    ratingsPerListing: RATINGS_PER_LISTING,
    ...limits,
  };
}

/** Default most listings per node key: generous for one node's services, not a flood. */
export const LISTINGS_PER_KEY = 64;
/** Default most listings in all: keys cost nothing, so the total is bounded too. */
export const LISTINGS_IN_ALL = 100_000;
/**
 * Default most rating records one listing keeps (a record lives as long as its
 * invoice could rate: 7 days + the skew). Beyond it a rating is 429
 * `too_many_ratings` until older records age out. A seller can mint
 * self-ratings at no cost, so this, not a per-payer bound (payer keys are
 * free), is what bounds the records one listing makes the registry keep.
 */
export const RATINGS_PER_LISTING = 1_000;
