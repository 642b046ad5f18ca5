import type { Hono } from 'hono';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import { createRegistryApp } from '../../services/registry/app.js';
import { RegistryClient } from '../../services/registry/client.js';
import { Registry } from '../../services/registry/registry.js';
import type { RegistryStore } from '../../services/registry/store.js';
import type { RegistryEvent } from '../../services/registry/types.js';
import type { Seller, SellerConfigInput } from '../../services/sellers/index.js';
import { createSeller } from '../../services/sellers/index.js';
import type { World } from '../paywall/helpers.js';
import { makeWorld } from '../paywall/helpers.js';

/** The registry's own origin in memory. */
export const REGISTRY_URL = 'http://registry.test';

/**
 * An in-memory market: the registry app, sellers reachable by host name,
 * and one fetch that routes to either (optionally with a per-host delay on
 * the virtual clock, standing in for network distance).
 */
export interface Market extends World {
  registry: Registry;
  app: Hono;
  client: RegistryClient;
  events: RegistryEvent[];
  hosts: Map<string, { fetch: (req: Request) => Response | Promise<Response> }>;
  delays: Map<string, number>;
  fetch: (req: Request) => Promise<Response>;
  addSeller(host: string, config: SellerConfigInput, node?: SimNode): Promise<Seller>;
}

/** Builds the market on a fixed seed and clock. */
export async function makeMarket({
  seed = 7,
  store,
}: { seed?: number; store?: RegistryStore } = {}): Promise<Market> {
  const w = makeWorld({ seed });
  const registry = await Registry.open({ clock: w.clock, network: 'regtest', ...(store ? { store } : {}) });
  const app = createRegistryApp(registry);
  const hosts = new Map<string, { fetch: (req: Request) => Response | Promise<Response> }>();
  const delays = new Map<string, number>();
  hosts.set(new URL(REGISTRY_URL).host, app);
  const fetch = async (req: Request): Promise<Response> => {
    const host = new URL(req.url).host;
    const target = hosts.get(host);
    if (!target) throw new TypeError(`fetch failed: no host ${host}`);
    const delay = delays.get(host) ?? 0;
    if (delay) await w.clock.sleep(delay);
    return target.fetch(req);
  };
  const events: RegistryEvent[] = [];
  registry.subscribe((e) => events.push(e));
  const client = new RegistryClient({ baseUrl: REGISTRY_URL, fetch, clock: w.clock });
  return {
    ...w,
    registry,
    app,
    client,
    events,
    hosts,
    delays,
    fetch,
    async addSeller(host, config, node = w.seller) {
      const s = await createSeller(config, {
        node,
        payeeNode: w.other,
        clock: w.clock,
        rng: w.rng.fork(host),
      });
      hosts.set(host, s.app);
      return s;
    },
  };
}
