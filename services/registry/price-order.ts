import { entryPriceMsat } from './search.js';
import type { Listing } from './types.js';

/**
 * Listings kept in the order a `sort=price` search returns them: entry price
 * ascending, then id (ids are unique, so the order is total). Each change is
 * a binary search and one splice, so a search reads only as far as it needs.
 */
export class PriceOrder implements Iterable<Listing> {
  /** `#prices[i]` is the entry price of `#listings[i]`. */
  readonly #prices: number[] = [];
  readonly #listings: Listing[] = [];

  get size(): number {
    return this.#listings.length;
  }

  /** Adds `listing`, or replaces `previous` (the listing stored under the same id) with it. */
  put(listing: Listing, previous?: Listing): void {
    const price = entryPriceMsat(listing);
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
    const at = this.#lowerBound(entryPriceMsat(listing), listing.id);
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
