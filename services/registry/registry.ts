import { createHash } from 'node:crypto';
import type { Logger } from '../../infra/log.js';
import { silentLogger } from '../../infra/log.js';
import { createRng, osSecrets, type Rng } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Network } from '../../infra/lightning/node.js';
import type { RatingRequest } from './ratings.js';
import { verifyRating } from './ratings.js';
import { entryPriceMsat, searchListings } from './search.js';
import type { SignedAction } from './signing.js';
import { verifyAction } from './signing.js';
import type { RegistryData, RegistryStore } from './store.js';
import { MemoryRegistryStore, SnapshotWriter, emptyRegistryData } from './store.js';
import type {
  Listing,
  ListingFields,
  ListingHealth,
  ListingQuery,
  ListingRating,
  RatingRecord,
  RegistryEvent,
  RegistryFailure,
  RegistryResult,
} from './types.js';

/** What the registry needs from its surroundings. */
export interface RegistryDeps {
  clock: Clock;
  store?: RegistryStore;
  logger?: Logger;
  /** The Lightning network the listed sellers sell on: ratings need a paid invoice of this network. */
  network: Network;
  /** How far a signed request's `signedAt` may be from the registry's clock (default 10 minutes). */
  maxSkewMs?: number;
  /** How old an invoice may be to back a rating (default 7 days). */
  maxInvoiceAgeMs?: number;
  /** Draws for `sort=random` and `ties=random` (default: a stream seeded from the OS; the simulator passes a seeded one). */
  rng?: Rng;
}

/** A signed registration or update as it arrives over HTTP. */
export interface SignedListing {
  listing: ListingFields;
  signedAt: number;
  signature: string;
}

/** A signed removal. */
export interface SignedRemoval {
  signedAt: number;
  signature: string;
}

/** A listing's id: derived from (node key, url), so the same seller cannot list one URL twice and ids are stable. */
export function listingId(nodePubkey: string, url: string): string {
  return createHash('sha256').update(`${nodePubkey}\n${url}`).digest('hex').slice(0, 32);
}

const fail = (code: RegistryFailure['code'], message: string): RegistryFailure => ({
  ok: false,
  code,
  message,
});

/**
 * The registry's state and rules, independent of HTTP: signed writes,
 * search, proven ratings, health records, and change events. Every check and
 * the write it guards happen in one synchronous step; persistence follows.
 */
export class Registry {
  readonly #clock: Clock;
  readonly #store: RegistryStore;
  readonly #log: Logger;
  readonly #maxSkewMs: number;
  readonly #network: Network;
  readonly #maxInvoiceAgeMs: number;
  readonly #rng: Rng;
  readonly #listings = new Map<string, Listing>();
  readonly #ratings = new Map<string, RatingRecord>();
  /** Per listing: sum(score x amount), sum(amount), count; bigint so sums of msat never round. */
  readonly #ratingSums = new Map<string, { weighted: bigint; paid: bigint; count: number }>();
  readonly #tombstones = new Map<string, number>();
  readonly #listeners = new Set<(e: RegistryEvent) => void>();
  readonly #writer: SnapshotWriter;

  private constructor(deps: RegistryDeps) {
    this.#clock = deps.clock;
    this.#store = deps.store ?? new MemoryRegistryStore();
    this.#log = deps.logger ?? silentLogger;
    this.#maxSkewMs = deps.maxSkewMs ?? 10 * 60_000;
    this.#network = deps.network;
    this.#maxInvoiceAgeMs = deps.maxInvoiceAgeMs ?? 7 * 86_400_000;
    this.#rng = deps.rng ?? createRng(Buffer.from(osSecrets.bytes(16)).toString('hex'));
    this.#writer = new SnapshotWriter(this.#store, () => this.#snapshot());
  }

  /** Opens a registry on `deps.store` (memory by default), loading what it saved before. */
  static async open(deps: RegistryDeps): Promise<Registry> {
    const r = new Registry(deps);
    const data = (await r.#store.load()) ?? emptyRegistryData();
    for (const t of data.tombstones) r.#tombstones.set(t.id, t.signedAt);
    for (const rec of data.ratings) {
      // A record without a positive amount predates signed ratings: its hash stays used, it weighs nothing.
      r.#ratings.set(rec.paymentHash, rec);
      if (Number.isSafeInteger(rec.amountMsat) && rec.amountMsat > 0) r.#addToSums(rec);
    }
    for (const l of data.listings) {
      const { rating: _stored, ...rest } = l;
      const rating = r.#ratingOf(l.id);
      r.#listings.set(l.id, rating ? { ...rest, rating } : rest);
    }
    return r;
  }

  /** Adds a listing signed by its node key. */
  async register(req: SignedListing): Promise<RegistryResult<{ listing: Listing }>> {
    const id = listingId(req.listing.nodePubkey, req.listing.url);
    const action: SignedAction = { action: 'register', listing: req.listing, signedAt: req.signedAt };
    const bad = this.#checkSignature(action, req.signature, req.listing.nodePubkey);
    if (bad) return bad;
    if (this.#listings.has(id))
      return fail('already_listed', `listing ${id} exists; update it with PUT /listings/${id}`);
    const removedAt = this.#tombstones.get(id);
    if (removedAt !== undefined && req.signedAt <= removedAt)
      return fail(
        'stale_signature',
        `signedAt ${req.signedAt} is not after the removal of ${id} (signed ${removedAt})`,
      );
    const now = this.#clock.now();
    const listing: Listing = { ...req.listing, id, createdAt: now, updatedAt: now, signedAt: req.signedAt };
    this.#tombstones.delete(id);
    this.#listings.set(id, listing);
    this.#emit({ type: 'listing_added', listing });
    await this.#persist();
    return { ok: true, listing: structuredClone(listing) };
  }

  /** Replaces a listing's fields; signed by the key it was registered with, newer than the last signed change. */
  async update(id: string, req: SignedListing): Promise<RegistryResult<{ listing: Listing }>> {
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
    if (req.signedAt <= old.signedAt)
      return fail(
        'stale_signature',
        `signedAt ${req.signedAt} is not after the last change (${old.signedAt})`,
      );
    const listing: Listing = {
      ...req.listing,
      id,
      health: old.health,
      rating: old.rating,
      createdAt: old.createdAt,
      updatedAt: this.#clock.now(),
      signedAt: req.signedAt,
    };
    this.#listings.set(id, listing);
    this.#emit({ type: 'listing_updated', listing });
    const before = entryPriceMsat(old);
    const after = entryPriceMsat(listing);
    if (before !== after)
      this.#emit({ type: 'price_changed', listing, previousPriceMsat: before, priceMsat: after });
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
    if (req.signedAt <= old.signedAt)
      return fail(
        'stale_signature',
        `signedAt ${req.signedAt} is not after the last change (${old.signedAt})`,
      );
    this.#listings.delete(id);
    this.#tombstones.set(id, req.signedAt);
    this.#emit({ type: 'listing_removed', listing: old });
    await this.#persist();
    return { ok: true, listing: structuredClone(old) };
  }

  /**
   * Records a rating: a paid, recent invoice of the listing's node on the
   * registry's network, signed for by a different paying node; one per
   * payment hash, weighted by the amount paid.
   */
  async rate(
    id: string,
    req: RatingRequest,
  ): Promise<RegistryResult<{ rating: ListingRating; paymentHash: string }>> {
    const listing = this.#listings.get(id);
    if (!listing) return fail('not_found', `no listing ${id}`);
    const now = this.#clock.now();
    const proof = verifyRating(req, listing, {
      network: this.#network,
      now,
      maxSkewMs: this.#maxSkewMs,
      maxInvoiceAgeMs: this.#maxInvoiceAgeMs,
    });
    if (!proof.ok) return proof;
    const { paymentHash, amountMsat } = proof;
    if (this.#ratings.has(paymentHash))
      return fail('already_rated', `payment ${paymentHash} was already used to rate`);
    const rec: RatingRecord = {
      listingId: id,
      paymentHash,
      score: req.score,
      at: now,
      amountMsat,
      payer: req.payer,
    };
    this.#ratings.set(paymentHash, rec);
    this.#addToSums(rec);
    const rating = this.#ratingOf(id)!;
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
    const before = old.health?.quotedPriceMsat;
    if (health.quotedPriceMsat !== undefined && before !== health.quotedPriceMsat)
      this.#emit({
        type: 'price_changed',
        listing,
        previousPriceMsat: before,
        priceMsat: health.quotedPriceMsat,
      });
    await this.#persist();
  }

  /** One listing (a copy), or undefined. */
  get(id: string): Listing | undefined {
    const l = this.#listings.get(id);
    return l && structuredClone(l);
  }

  /** Filtered, sorted, limited copies. */
  search(q: ListingQuery = {}): Listing[] {
    return searchListings(this.#listings.values(), q, this.#rng).map((l) => structuredClone(l));
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
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when every change so far is in the store. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  #checkSignature(action: SignedAction, signature: string, pubkey: string): RegistryFailure | undefined {
    const skew = Math.abs(action.signedAt - this.#clock.now());
    if (skew > this.#maxSkewMs)
      return fail(
        'stale_signature',
        `signedAt ${action.signedAt} is ${skew} ms from the registry clock (max ${this.#maxSkewMs})`,
      );
    if (!verifyAction(action, signature, pubkey))
      return fail('bad_signature', `signature does not verify for ${action.action} under node key ${pubkey}`);
    return undefined;
  }

  #addToSums(rec: RatingRecord): void {
    const s = this.#ratingSums.get(rec.listingId) ?? { weighted: 0n, paid: 0n, count: 0 };
    const amount = BigInt(rec.amountMsat);
    this.#ratingSums.set(rec.listingId, {
      weighted: s.weighted + BigInt(rec.score) * amount,
      paid: s.paid + amount,
      count: s.count + 1,
    });
  }

  #ratingOf(id: string): ListingRating | undefined {
    const s = this.#ratingSums.get(id);
    if (!s || s.paid === 0n) return undefined;
    return { average: Number(s.weighted) / Number(s.paid), count: s.count, paidMsat: Number(s.paid) };
  }

  #emit(e: RegistryEvent): void {
    const event = { ...e, listing: structuredClone(e.listing) } as RegistryEvent;
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (err) {
        this.#log.warn({ err, type: e.type }, 'registry listener threw');
      }
    }
  }

  #persist(): Promise<void> {
    return this.#writer.save();
  }

  #snapshot(): RegistryData {
    return {
      version: 1,
      listings: [...this.#listings.values()],
      ratings: [...this.#ratings.values()],
      tombstones: [...this.#tombstones].map(([id, signedAt]) => ({ id, signedAt })),
    };
  }
}
