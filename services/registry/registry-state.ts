import { LabError } from '../../infra/errors.js';
import { ListingTable } from './listing-table.js';
import { RatingBook } from './rating-book.js';
import type { JournalEntry, RegistryChange } from './registry-changes.js';
import { pruneTombstones } from './signed-writes.js';
import type { RegistryData, SavedRegistry } from './store.js';
import type { Listing } from './types.js';

/**
 * What the registry holds: listings, proven ratings, tombstones, and the
 * number of changes made so far. It changes only through `apply` (live, each
 * change once it is journaled) and `load` (a snapshot, then the journal),
 * both of which apply each change with the same code, so a reopened registry
 * holds what it held before.
 */
export class RegistryState {
  readonly listings = new ListingTable();
  readonly ratings: RatingBook;
  /** Removed ids and the signedAt of their removal, in the order removed. */
  readonly tombstones = new Map<string, number>();
  #seq = 0;

  constructor(recordsPerListing: number) {
    this.ratings = new RatingBook(recordsPerListing);
  }

  /** The state `saved` holds (empty when undefined): its snapshot, then each change journaled after it. */
  static load(saved: SavedRegistry | undefined, recordsPerListing: number): RegistryState {
    const s = new RegistryState(recordsPerListing);
    if (!saved) return s;
    for (const t of saved.tombstones) s.tombstones.set(t.id, t.signedAt);
    s.ratings.load(saved.ratings, saved.ratingSums);
    for (const l of saved.listings) s.listings.set(l.id, s.ratings.withRating(l));
    s.#seq = saved.seq ?? 0;
    for (const { seq, change } of saved.journal) {
      try {
        s.#apply(change);
      } catch (err) {
        throw new LabError(
          'corrupt_store',
          `journaled change ${seq} (${change.op}) does not fit the registry before it: ${(err as Error).message}; ` +
            'the snapshot and the journal are not one history (restore both from the same backup)',
          { cause: err },
        );
      }
      s.#seq = seq;
    }
    return s;
  }

  /** The number of changes made so far (the seq of the last). */
  get seq(): number {
    return this.#seq;
  }

  /** Applies `entry`, which must be the next change (seq one above the last): live, once it is journaled. */
  apply(entry: JournalEntry): void {
    if (entry.seq !== this.#seq + 1)
      throw new Error(`change ${entry.seq} applied after change ${this.#seq}: changes apply in order`);
    this.#apply(entry.change);
    this.#seq = entry.seq;
  }

  /**
   * The whole state as a snapshot, as of now. It shares the listing and
   * record objects, which the registry replaces rather than edits, so it
   * stays as of now while later changes are made.
   */
  snapshot(): RegistryData {
    return {
      version: 2,
      seq: this.#seq,
      listings: [...this.listings.values()],
      ...this.ratings.snapshot(),
      tombstones: [...this.tombstones].map(([id, signedAt]) => ({ id, signedAt })),
    };
  }

  #apply(c: RegistryChange): void {
    switch (c.op) {
      case 'put':
        this.tombstones.delete(c.listing.id);
        this.listings.set(c.listing.id, c.listing);
        return;
      case 'health':
        this.listings.set(c.id, { ...this.#listing(c.id), health: c.health });
        return;
      case 'remove':
        this.#listing(c.id);
        this.listings.delete(c.id);
        this.tombstones.set(c.id, c.signedAt);
        pruneTombstones(this.tombstones, c.pruneBefore);
        return;
      case 'rate': {
        const listing = this.#listing(c.record.listingId);
        this.ratings.add(c.record);
        this.listings.set(listing.id, { ...listing, rating: this.ratings.ratingOf(listing.id)! });
        return;
      }
      case 'prune_ratings':
        this.ratings.prune(c.before);
        return;
      case 'dispute_rating': {
        // The listing may be gone (removed); its sums stay, for the id registered again.
        const listing = this.listings.get(this.ratings.dispute(c.paymentHash));
        if (listing) this.listings.set(listing.id, this.ratings.withRating(listing));
        return;
      }
    }
  }

  #listing(id: string): Listing {
    const l = this.listings.get(id);
    if (!l) throw new Error(`it names listing ${id}, which the registry does not hold`);
    return l;
  }
}
