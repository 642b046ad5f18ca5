import { PriceOrders } from './price-order.js';
import type { ListingSource } from './search.js';
import type { Listing, SearchTier } from './types.js';

/** Each capability once, though a listing may name one twice. */
const capabilitiesOf = (l: Listing): Set<string> => new Set(l.capabilities);

/**
 * The registry's listings by id, with the listings of each capability (and
 * all of them) kept in price order on every `set` and `delete` (entry price,
 * and each tier's price a search has asked for: see `PriceOrders`): a search
 * for one capability reads only the listings that offer it, and a
 * `sort=price` search reads them only until it has its limit (see search.ts).
 */
export class ListingTable extends Map<string, Listing> implements ListingSource {
  #all = new PriceOrders();
  readonly #byCapability = new Map<string, PriceOrders>();
  readonly #perKey = new Map<string, number>();

  /** A table of `listings`, each under its id. */
  static of(listings: Iterable<Listing>): ListingTable {
    const t = new ListingTable();
    for (const l of listings) t.set(l.id, l);
    return t;
  }

  override set(id: string, listing: Listing): this {
    const old = this.get(id);
    super.set(id, listing);
    this.#all.put(listing, old);
    if (!old) this.#count(listing.nodePubkey, 1);
    const before = old ? capabilitiesOf(old) : new Set<string>();
    for (const c of before) if (!listing.capabilities.includes(c)) this.#drop(c, old!);
    for (const c of capabilitiesOf(listing)) {
      let offering = this.#byCapability.get(c);
      if (!offering) this.#byCapability.set(c, (offering = new PriceOrders()));
      offering.put(listing, before.has(c) ? old : undefined);
    }
    return this;
  }

  override delete(id: string): boolean {
    const old = this.get(id);
    if (!old) return false;
    this.#all.remove(old);
    for (const c of capabilitiesOf(old)) this.#drop(c, old);
    this.#count(old.nodePubkey, -1);
    return super.delete(id);
  }

  override clear(): void {
    this.#all = new PriceOrders();
    this.#byCapability.clear();
    this.#perKey.clear();
    super.clear();
  }

  /**
   * The listings offering `capability` (every listing when none is asked for), by the price a search
   * asking for `tier` reads (absent: the entry price), then id.
   */
  offering(capability: string | undefined, tier?: SearchTier): Iterable<Listing> {
    if (capability === undefined) return this.#all.by(tier);
    return this.#byCapability.get(capability)?.by(tier) ?? [];
  }

  /** How many listings `nodePubkey` holds. */
  listedBy(nodePubkey: string): number {
    return this.#perKey.get(nodePubkey) ?? 0;
  }

  #count(nodePubkey: string, by: number): void {
    const n = (this.#perKey.get(nodePubkey) ?? 0) + by;
    if (n > 0) this.#perKey.set(nodePubkey, n);
    else this.#perKey.delete(nodePubkey);
  }

  #drop(capability: string, listing: Listing): void {
    const offering = this.#byCapability.get(capability)!;
    offering.remove(listing);
    if (offering.size === 0) this.#byCapability.delete(capability);
  }
}
