import type { Rng } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import {
  Registry,
  RegistryClient,
  createRegistryApp,
  nodeSigner,
  type RegistryStore,
} from '../../services/registry/index.js';
import type { Listing, ListingFields, ListingQuery, ListingTier } from '../../services/registry/types.js';
import { LabError } from '../../infra/errors.js';
import type { World } from './world.js';

/** Where agents search: the registry over HTTP, with the scenario's search bandwidth as a cap on results. */
export interface MarketRegistry {
  client: RegistryClient;
  /**
   * The buyer graph's listing source. A registry that cannot answer throws, naming its code and message
   * (the buyer's task stops as `registry_unavailable`, not as `no_sellers`: no seller was looked for).
   */
  search(q: ListingQuery): Promise<Listing[]>;
  /** Registers a listing signed by the seller's node (invoice attestation: works on simnet and LND alike). */
  register(fields: ListingFields, node: LightningNode): Promise<Listing>;
  /** The tiers a listing registered here advertises (a price change keeps them), by listing id. */
  tiersOf(listingId: string): readonly ListingTier[] | undefined;
}

/** The market's registry lives as long as its run, so it saves nothing: no journal line is even written. */
const runOnlyStore: RegistryStore = {
  load: async () => undefined,
  append: async () => {},
  compactionDue: () => false,
  compact: async () => {},
};

/** Starts the registry service in the world (in memory, or on a socket for regtest) and returns its client. */
export async function openRegistry(
  world: World,
  clock: Clock,
  searchLimit: number,
  logger: Logger,
  rng: Rng,
): Promise<MarketRegistry> {
  // Both worlds sell on regtest invoices (the embedded network writes them too); random sorts draw from the run's seed.
  // Every rating the run's agents post counts: no record bound (a public registry's flood guard) cuts a
  // reputation study short; records still age out as anywhere.
  // Signed writes must name the registry, as a server's do: its URL, known once it is served (before any write).
  let origins: readonly string[] = [];
  const registry = await Registry.open({
    clock,
    logger,
    network: 'regtest',
    rng,
    store: runOnlyStore,
    limits: { ratingsPerListing: Number.MAX_SAFE_INTEGER },
    origins: () => origins,
  });
  const app = createRegistryApp(registry, { logger });
  const baseUrl = await world.serve('registry.sim', (req) => app.fetch(req));
  origins = [baseUrl];
  // Its calls' time limits run on the market's clock, as the registry's answers do (virtual time in the embedded world).
  // Its sellers are in the world (in memory, or on this machine for regtest): a lab's addresses.
  const client = new RegistryClient({
    baseUrl,
    fetch: (req) => world.fetch(req),
    clock,
    addressPolicy: 'lab',
  });
  const tiers = new Map<string, readonly ListingTier[]>();
  return {
    client,
    async search(q) {
      const r = await client.search({ ...q, limit: Math.min(q.limit ?? searchLimit, searchLimit) });
      if (!r.ok)
        throw new LabError('registry_unavailable', `registry search failed: ${r.code}: ${r.message}`);
      return r.listings;
    },
    async register(fields, node) {
      const r = await client.register(fields, await nodeSigner(node));
      if (!r.ok) throw new Error(`registering ${fields.name} failed: ${r.code}: ${r.message}`);
      tiers.set(r.listing.id, r.listing.tiers);
      return r.listing;
    },
    tiersOf: (listingId) => tiers.get(listingId),
  };
}
