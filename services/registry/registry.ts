import { silentLogger } from '../../infra/log.js';
import { createRng, osSecrets, type Rng } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import { registryLimits, type RegistryDeps, type RegistryLimits } from './registry-deps.js';
import type { RatingRequest, RatingRules } from './ratings.js';
import { entryPriceMsat, searchListings } from './search.js';
import type { SignedAction } from './signing.js';
import { ChangeListeners } from './change-listeners.js';
import { ListingTable } from './listing-table.js';
import { RatingBook } from './rating-book.js';
import type { SignedListing, SignedRemoval } from './signed-writes.js';
import {
  checkAddress,
  checkAfterRemoval,
  checkNewer,
  checkRoom,
  checkSameUrl,
  checkSignature,
  fail,
  listingId,
  pruneTombstones,
  updatedListing,
} from './signed-writes.js';
import type { RegistryData, RegistryStore } from './store.js';
import { MemoryRegistryStore, SnapshotWriter, emptyRegistryData } from './store.js';
import type {
  Listing,
  ListingHealth,
  ListingQuery,
  ListingRating,
  RegistryEvent,
  RegistryFailure,
  RegistryResult,
} from './types.js';

export type { RegistryDeps } from './registry-deps.js';
export { listingId, type SignedListing, type SignedRemoval } from './signed-writes.js';

/**
 * The registry's state and rules, independent of HTTP: signed writes,
 * search, proven ratings, health records, and change events. Every check and
 * the write it guards happen in one synchronous step; persistence follows.
 */
export class Registry {
  readonly #clock: Clock;
  readonly #store: RegistryStore;
  readonly #maxSkewMs: number;
  readonly #ratingRules: Omit<RatingRules, 'now'>;
  readonly #rng: Rng;
  readonly #limits: RegistryLimits;
  readonly #addressPolicy: RegistryDeps['addressPolicy'];
  readonly #listings = new ListingTable();
  readonly #ratings: RatingBook;
  readonly #tombstones = new Map<string, number>();
  readonly #listeners: ChangeListeners;
  readonly #writer: SnapshotWriter;

  private constructor(deps: RegistryDeps) {
    this.#clock = deps.clock;
    this.#store = deps.store ?? new MemoryRegistryStore();
    this.#listeners = new ChangeListeners(deps.logger ?? silentLogger);
    this.#maxSkewMs = deps.maxSkewMs ?? 10 * 60_000;
    const maxInvoiceAgeMs = deps.maxInvoiceAgeMs ?? 7 * 86_400_000;
    this.#ratingRules = { network: deps.network, maxSkewMs: this.#maxSkewMs, maxInvoiceAgeMs };
    this.#rng = deps.rng ?? createRng(Buffer.from(osSecrets.bytes(16)).toString('hex'));
    this.#limits = registryLimits(deps.limits);
    this.#ratings = new RatingBook(this.#limits.ratingsPerListing);
    this.#addressPolicy = deps.addressPolicy;
    this.#writer = new SnapshotWriter(this.#store, () => this.#snapshot());
  }

  /** Opens a registry on `deps.store` (memory by default), loading what it saved before. */
  static async open(deps: RegistryDeps): Promise<Registry> {
    const r = new Registry(deps);
    const data = (await r.#store.load()) ?? emptyRegistryData();
    for (const t of data.tombstones) r.#tombstones.set(t.id, t.signedAt);
    r.#ratings.load(data.ratings, data.ratingSums);
    for (const l of data.listings) r.#listings.set(l.id, r.#ratings.withRating(l));
    return r;
  }

  /** Adds a listing signed by its node key (a copy is checked and kept: the caller's objects stay its own). */
  async register(signed: SignedListing): Promise<RegistryResult<{ listing: Listing }>> {
    const req = structuredClone(signed);
    const id = listingId(req.listing.nodePubkey, req.listing.url);
    const action: SignedAction = { action: 'register', listing: req.listing, signedAt: req.signedAt };
    const bad = this.#checkSignature(action, req.signature, req.listing.nodePubkey);
    if (bad) return bad;
    if (this.#listings.has(id))
      return fail('already_listed', `listing ${id} exists; update it with PUT /listings/${id}`);
    const replayed = checkAfterRemoval(req.signedAt, this.#tombstones.get(id), id);
    if (replayed) return replayed;
    const refused =
      checkRoom(this.#listings, req.listing.nodePubkey, this.#limits) ??
      checkAddress(req.listing.url, this.#addressPolicy);
    if (refused) return refused;
    const now = this.#clock.now();
    const listing = this.#ratings.withRating({
      ...req.listing,
      id,
      createdAt: now,
      updatedAt: now,
      signedAt: req.signedAt,
    });
    this.#tombstones.delete(id);
    this.#listings.set(id, listing);
    this.#emit({ type: 'listing_added', listing });
    await this.#persist();
    return { ok: true, listing: structuredClone(listing) };
  }

  /** Replaces a listing's fields; signed by the key it was registered with, newer than the last signed change. */
  async update(id: string, signed: SignedListing): Promise<RegistryResult<{ listing: Listing }>> {
    const req = structuredClone(signed);
    const old = this.#listings.get(id);
    if (!old) return fail('not_found', `no listing ${id}`);
    if (req.listing.nodePubkey !== old.nodePubkey)
      return fail(
        'pubkey_mismatch',
        `listing ${id} belongs to ${old.nodePubkey}, not ${req.listing.nodePubkey}`,
      );
    const bad = this.#checkSignature(
      { action: 'update', id, listing: req.listing, signedAt: req.signedAt },
      req.signature,
      old.nodePubkey,
    );
    if (bad) return bad;
    const refused = checkNewer(req.signedAt, old.signedAt) ?? checkSameUrl(id, old.url, req.listing.url);
    if (refused) return refused;
    const listing = updatedListing(id, req, old, this.#clock.now());
    this.#listings.set(id, listing);
    this.#emit({ type: 'listing_updated', listing });
    this.#listeners.priceChange(listing, entryPriceMsat(old), entryPriceMsat(listing));
    await this.#persist();
    return { ok: true, listing: structuredClone(listing) };
  }

  /** Removes a listing; signed by its key. Its id stays tombstoned so old registrations cannot be replayed. */
  async remove(id: string, req: SignedRemoval): Promise<RegistryResult<{ listing: Listing }>> {
    const old = this.#listings.get(id);
    if (!old) return fail('not_found', `no listing ${id}`);
    const bad = this.#checkSignature(
      { action: 'remove', id, signedAt: req.signedAt },
      req.signature,
      old.nodePubkey,
    );
    if (bad) return bad;
    const stale = checkNewer(req.signedAt, old.signedAt);
    if (stale) return stale;
    this.#listings.delete(id);
    this.#tombstones.set(id, req.signedAt);
    pruneTombstones(this.#tombstones, this.#clock.now() - this.#maxSkewMs);
    this.#emit({ type: 'listing_removed', listing: old });
    await this.#persist();
    return { ok: true, listing: structuredClone(old) };
  }

  /**
   * Records a rating: a paid, recent invoice of the listing's node on the
   * registry's network, signed for by a different paying node; one per
   * payment hash, weighted by the amount paid up to the dearest tier; at most
   * `limits.ratingsPerListing` records kept per listing.
   */
  async rate(
    id: string,
    req: RatingRequest,
  ): Promise<RegistryResult<{ rating: ListingRating; paymentHash: string }>> {
    const listing = this.#listings.get(id);
    if (!listing) return fail('not_found', `no listing ${id}`);
    const rated = this.#ratings.rate(listing, req, { ...this.#ratingRules, now: this.#clock.now() });
    if (!rated.ok) return rated;
    const { rating, paymentHash } = rated;
    const updated: Listing = { ...listing, rating };
    this.#listings.set(id, updated);
    this.#emit({ type: 'listing_updated', listing: updated });
    await this.#persist();
    return { ok: true, rating: { ...rating }, paymentHash };
  }

  /** Stores a probe result (from the health prober); emits health/price changes. */
  async recordHealth(id: string, health: ListingHealth): Promise<void> {
    const old = this.#listings.get(id);
    if (!old) return;
    const listing: Listing = { ...old, health: { ...health } };
    this.#listings.set(id, listing);
    if (old.health?.alive !== health.alive) this.#emit({ type: 'health_changed', listing });
    this.#listeners.priceChange(listing, old.health?.quotedPriceMsat, health.quotedPriceMsat);
    await this.#persist();
  }

  /** One listing (a copy), or undefined. */
  get(id: string): Listing | undefined {
    const l = this.#listings.get(id);
    return l && structuredClone(l);
  }

  /** Filtered, sorted, limited copies. */
  search(q: ListingQuery = {}): Listing[] {
    return searchListings(this.#listings, q, this.#rng).map((l) => structuredClone(l));
  }

  /** The same search as a JSON array, serialized from the listings themselves (no copies): the HTTP answer. */
  searchJson(q: ListingQuery = {}): string {
    return JSON.stringify(searchListings(this.#listings, q, this.#rng));
  }

  /** Every listing (copies), in id order: what the health prober walks. */
  all(): Listing[] {
    return [...this.#listings.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((l) => structuredClone(l));
  }

  /** Number of listings. */
  get size(): number {
    return this.#listings.size;
  }

  /** Calls `listener` on every change, synchronously, in order. Returns the unsubscribe function. */
  subscribe(listener: (e: RegistryEvent) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  /** Resolves when every change so far is in the store. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  #checkSignature(action: SignedAction, signature: string, pubkey: string): RegistryFailure | undefined {
    return checkSignature(action, signature, pubkey, this.#clock.now(), this.#maxSkewMs);
  }

  #emit(e: RegistryEvent): void {
    this.#listeners.emit(e);
  }

  #persist(): Promise<void> {
    return this.#writer.save();
  }

  #snapshot(): RegistryData {
    return {
      version: 2,
      listings: [...this.#listings.values()],
      ...this.#ratings.snapshot(),
      tombstones: [...this.#tombstones].map(([id, signedAt]) => ({ id, signedAt })),
    };
  }
}
