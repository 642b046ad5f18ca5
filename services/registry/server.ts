import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import type { Network } from '../../infra/lightning/node.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Listening } from '../http/listen.js';
import { listen } from '../http/listen.js';
import { createRegistryApp } from './app.js';
import type { RegistryFeed } from './feed.js';
import { attachRegistryFeed } from './feed.js';
import { JsonFileRegistryStore } from './file-store.js';
import type { AddressPolicy } from './address-policy.js';
import { HealthProber } from './health.js';
import type { ResolveAll } from './name-resolution.js';
import { createProbeFetch } from './probe-fetch.js';
import { Registry } from './registry.js';
import { requireOrigin, serverOrigins } from './registry-origin.js';
import { MemoryRegistryStore, type RegistryStore } from './store.js';

/** Options of the standalone registry server. */
export interface RegistryServerOptions {
  clock: Clock;
  /** The Lightning network the listed sellers sell on (ratings need invoices of it). */
  network: Network;
  port?: number;
  hostname?: string;
  /**
   * JSON file that keeps listings and ratings across restarts (one server at a time: a second is
   * refused with LabError('file_locked')); memory only when absent.
   */
  dataFile?: string;
  /**
   * The URLs clients address this registry at (their origins matter: `https://registry.example`):
   * every signed write must name one (registry-origin.ts). Default: the address it listens on, and for a
   * loopback or any-interface bind `http://127.0.0.1:PORT`, `http://localhost:PORT`, `http://[::1]:PORT`.
   * Behind a proxy, or reached by another name, give the URL its clients use.
   */
  publicUrls?: string[];
  /** Health probe period; 0 disables probing (default 60 s). */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /**
   * Which addresses listings may name and probes may reach (default `public`). `lab` also allows
   * loopback and private networks: for sellers on this machine or a lab network.
   */
  addressPolicy?: AddressPolicy;
  /**
   * How host names resolve, for both the registration check under `public` and the probes; tests
   * pass their own (it cannot be stopped). Default: DNS through c-ares for both, asking `nameservers`
   * (`RegistryDeps.lookup`).
   */
  lookup?: ResolveAll;
  /**
   * The DNS servers the registration check and the probes ask (`192.0.2.1`, `192.0.2.1:53`,
   * `[2001:db8::1]:53`; default the system's, from /etc/resolv.conf).
   */
  nameservers?: string[];
  /**
   * Most host names resolving at once at registration (default `RESOLVING_AT_ONCE`, 8); a registration
   * or update beyond it is 503 `resolve_unavailable`. Probes resolve apart from it, `concurrency` at a time.
   */
  maxResolving?: number;
  /** What probes use (default: `createProbeFetch` under `addressPolicy`, resolving as the registration check does). */
  fetch?: (req: Request) => Promise<Response>;
  /** Time to receive a whole request body (default 10 s); a slower one is answered 408 `body_timeout`. */
  bodyTimeoutMs?: number;
  /** Most WebSocket feed subscribers at once (default `FEED_MAX_CLIENTS`, 1,000). */
  maxFeedClients?: number;
  logger?: Logger;
}

/** A running registry: HTTP API, WebSocket feed and health prober on one port. */
export interface RegistryServer {
  registry: Registry;
  url: string;
  port: number;
  /** The origins signed writes must name (`publicUrls`, or the defaults). */
  origins: readonly string[];
  feed: RegistryFeed;
  prober?: HealthProber;
  close(): Promise<void>;
}

/** Starts the registry on a real socket (what `npm run registry` runs). */
export async function startRegistryServer({
  clock,
  network,
  port = 0,
  hostname = '127.0.0.1',
  dataFile,
  publicUrls,
  probeIntervalMs = 60_000,
  probeTimeoutMs = 5_000,
  addressPolicy = 'public',
  lookup,
  nameservers,
  maxResolving,
  fetch = createProbeFetch({
    policy: addressPolicy,
    clock,
    ...(lookup ? { resolve: lookup } : {}),
    ...(nameservers ? { nameservers } : {}),
  }),
  bodyTimeoutMs,
  maxFeedClients,
  logger = silentLogger,
}: RegistryServerOptions): Promise<RegistryServer> {
  const store: RegistryStore = dataFile ? new JsonFileRegistryStore(dataFile) : new MemoryRegistryStore();
  // Known once listening (the port may be 0 until then); no request is served before.
  let origins: readonly string[] = publicUrls?.map(requireOrigin) ?? [];
  const registry = await Registry.open({
    clock,
    network,
    store,
    logger,
    addressPolicy,
    origins: () => origins,
    ...(lookup ? { lookup } : {}),
    ...(nameservers ? { nameservers } : {}),
    ...(maxResolving !== undefined ? { maxResolving } : {}),
  });
  const app = createRegistryApp(registry, {
    logger,
    ...(bodyTimeoutMs !== undefined ? { bodyTimeoutMs } : {}),
  });
  const http: Listening = await listen(app.fetch, { port, hostname }).catch(async (err: unknown) => {
    await store.close?.();
    throw err;
  });
  origins = serverOrigins(publicUrls, { hostname, port: http.port, url: http.url });
  const feed = attachRegistryFeed(http.server, registry, {
    logger,
    ...(maxFeedClients !== undefined ? { maxClients: maxFeedClients } : {}),
  });
  const prober =
    probeIntervalMs > 0
      ? new HealthProber({
          registry,
          fetch,
          clock,
          intervalMs: probeIntervalMs,
          timeoutMs: probeTimeoutMs,
          addressPolicy,
          logger,
        })
      : undefined;
  const probing = prober?.run();
  return {
    registry,
    url: http.url,
    port: http.port,
    origins,
    feed,
    ...(prober ? { prober } : {}),
    async close() {
      prober?.stop();
      await feed.close();
      await http.close();
      try {
        await registry.flush();
      } finally {
        await store.close?.(); // the data file is free for the next registry, even when the last compaction failed
      }
      // The prober may be asleep until its next round; do not wait for it.
      void probing;
    },
  };
}
