import type { Listing } from './types.js';

/**
 * The registry's listings by id, with an index by capability kept in step
 * on every `set` and `delete`: a search for one capability reads only the
 * listings that offer it. Search results never depend on the order listings
 * are read in (every order ends in a tie-break by id; random orders draw in
 * id order), so reading fewer of them changes nothing but the time.
 */
export class ListingTable extends Map<string, Listing> {
  readonly #byCapability = new Map<string, Map<string, Listing>>();

  override set(id: string, listing: Listing): this {
    this.#unindex(id);
    super.set(id, listing);
    for (const c of listing.capabilities) {
      let offering = this.#byCapability.get(c);
      if (!offering) this.#byCapability.set(c, (offering = new Map()));
      offering.set(id, listing);
    }
    return this;
  }

  override delete(id: string): boolean {
    this.#unindex(id);
    return super.delete(id);
  }

  override clear(): void {
    this.#byCapability.clear();
    super.clear();
  }

  /** The listings a search for `capability` must look at (every listing when none is asked for). */
  offering(capability: string | undefined): Iterable<Listing> {
    if (capability === undefined) return this.values();
    return this.#byCapability.get(capability)?.values() ?? [];
  }

  #unindex(id: string): void {
    const old = this.get(id);
    if (!old) return;
    for (const c of old.capabilities) {
      const offering = this.#byCapability.get(c);
      offering?.delete(id);
      if (offering?.size === 0) this.#byCapability.delete(c);
    }
  }
}
