import type { Clock } from '../../infra/time/clock.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import { Registry } from '../../services/registry/registry.js';
import { nodeSigner, signAction } from '../../services/registry/signing.js';
import type { Listing, ListingFields, ListingQuery } from '../../services/registry/types.js';

/** Where agents search: the registry, with the scenario's search bandwidth as a cap on results. */
export interface MarketRegistry {
  registry: Registry;
  search(q: ListingQuery): Listing[];
  /** Registers a listing signed by the seller's node (invoice attestation: works on simnet and LND alike). */
  register(fields: ListingFields, node: LightningNode): Promise<Listing>;
}

/** Opens an in-memory registry on the run's clock. */
export async function openRegistry(
  clock: Clock,
  searchLimit: number,
  logger: Logger,
): Promise<MarketRegistry> {
  const registry = await Registry.open({ clock, logger });
  return {
    registry,
    search: (q) => registry.search({ ...q, limit: Math.min(q.limit ?? searchLimit, searchLimit) }),
    async register(fields, node) {
      const signer = await nodeSigner(node);
      const signedAt = clock.now();
      const signature = await signAction({ action: 'register', listing: fields, signedAt }, signer);
      const r = await registry.register({ listing: fields, signedAt, signature });
      if (!r.ok) throw new Error(`registering ${fields.name} failed: ${r.code}: ${r.message}`);
      return r.listing;
    },
  };
}
