import { entryPriceMsat, searchPriceMsat } from './search-price.js';
import type { Listing, SearchTier } from './types.js';

/**
 * Listings kept in the order a `sort=price` search returns them: price
 * ascending (the entry price unless another `price` is given), then id (ids
 * are unique, so the order is total). Each change is a binary search and one
 * splice, so a search reads only as far as it needs.
 */
export class PriceOrder implements Iterable<Listing> {
  /** `#prices[i]` is the price of `#listings[i]`. */
  readonly #prices: number[] = [];
  readonly #listings: Listing[] = [];
  readonly #price: (l: Listing) => number;

  constructor(price: (l: Listing) => number = entryPriceMsat) {
    this.#price = price;
  }

  /** `listings` (each once) in `price` order, sorted in one go rather than put one by one. */
  static of(listings: Iterable<Listing>, price: (l: Listing) => number): PriceOrder {
    const o = new PriceOrder(price);
    const keyed = [...listings].map((l) => ({ l, p: price(l) }));
    // Listing ids are unique: no two compare equal.
    keyed.sort((a, b) => (a.p !== b.p ? (a.p < b.p ? -1 : 1) : a.l.id < b.l.id ? -1 : 1));
    for (const { l, p } of keyed) {
      o.#prices.push(p);
      o.#listings.push(l);
    }
    return o;
  }

  get size(): number {
    return this.#listings.length;
  }

  /** Adds `listing`, or replaces `previous` (the listing stored under the same id) with it. */
  put(listing: Listing, previous?: Listing): void {
    const price = this.#price(listing);
    if (previous) {
      const at = this.#indexOf(previous);
      if (this.#prices[at] === price && previous.id === listing.id) {
        this.#listings[at] = listing; // same key, same place
        return;
      }
      this.#prices.splice(at, 1);
      this.#listings.splice(at, 1);
    }
    const at = this.#lowerBound(price, listing.id);
    this.#prices.splice(at, 0, price);
    this.#listings.splice(at, 0, listing);
  }

  /** Removes `listing` (as stored). */
  remove(listing: Listing): void {
    const at = this.#indexOf(listing);
    this.#prices.splice(at, 1);
    this.#listings.splice(at, 1);
  }

  [Symbol.iterator](): Iterator<Listing> {
    return this.#listings.values();
  }

  #indexOf(listing: Listing): number {
    const at = this.#lowerBound(this.#price(listing), listing.id);
    if (this.#listings[at] !== listing)
      throw new Error(`price order out of step: listing ${listing.id} is not where its price puts it`);
    return at;
  }

  /** The first position whose (price, id) is not below (`price`, `id`). */
  #lowerBound(price: number, id: string): number {
    let lo = 0;
    let hi = this.#listings.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.#prices[mid]!;
      if (p < price || (p === price && this.#listings[mid]!.id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * One set of listings (a capability's, or all of them) in the price order
 * of each tier a search has asked for: entry price from the start, a tier's
 * price (`searchPriceMsat`) built on the first search asking for that tier
 * (one sort of the set) and kept from then on. Writes update only the orders
 * built, so a registry pays for the orders its searches read.
 */
export class PriceOrders {
  readonly #byEntry = new PriceOrder();
  readonly #byTier = new Map<SearchTier, PriceOrder>();

  get size(): number {
    return this.#byEntry.size;
  }

  /** Adds `listing`, or replaces `previous` (the listing stored under the same id) with it, in every order. */
  put(listing: Listing, previous?: Listing): void {
    this.#byEntry.put(listing, previous);
    for (const o of this.#byTier.values()) o.put(listing, previous);
  }

  /** Removes `listing` (as stored) from every order. */
  remove(listing: Listing): void {
    this.#byEntry.remove(listing);
    for (const o of this.#byTier.values()) o.remove(listing);
  }

  /** The listings by the price a search asking for `tier` reads (absent: the entry price), then id. */
  by(tier: SearchTier | undefined): PriceOrder {
    if (tier === undefined) return this.#byEntry;
    let o = this.#byTier.get(tier);
    if (!o) this.#byTier.set(tier, (o = PriceOrder.of(this.#byEntry, (l) => searchPriceMsat(l, tier))));
    return o;
  }
}
