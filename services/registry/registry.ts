import { silentLogger, type Logger } from '../../infra/log.js';
import { createRng, osSecrets, type Rng } from '../../infra/random.js';
import type { Clock } from '../../infra/time/clock.js';
import { registryLimits, type RegistryDeps, type RegistryLimits } from './registry-deps.js';
import type { RatingRequest, RatingRules } from './ratings.js';
import { entryPriceMsat, searchListings } from './search.js';
import type { SignedAction } from './signing.js';
import { ChangeListeners } from './change-listeners.js';
import { listingHostCheck, type HostCheck } from './host-check.js';
import { JournalWriter } from './journal-writer.js';
import { resolverOf } from './name-resolution.js';
import { ratingCutoff } from './rating-book.js';
import { RegistryState } from './registry-state.js';
import type { SignedListing, SignedRemoval } from './signed-writes.js';
import { checkNewer, checkSignature, fail, listingId, updatedListing } from './signed-writes.js';
import { checkedWrite, registrationRefusal, updateRefusal, type WriteRules } from './write-refusals.js';
import { originsOf } from './registry-origin.js';
import type { RegistryStore } from './store.js';
import { MemoryRegistryStore } from './store.js';
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
 * search, proven ratings, health records, and change events. Writes run one
 * at a time: each checks what the registry holds, has its change journaled,
 * and applies it (and emits its events) only once it is durable. A write the
 * store fails changes nothing: the request answered 503 is checked afresh
 * when it is sent again, and gets the answer a first try would have got.
 */
export class Registry {
  readonly #clock: Clock;
  readonly #maxSkewMs: number;
  readonly #ratingRules: Omit<RatingRules, 'now' | 'origins'>;
  readonly #rng: Rng;
  readonly #limits: RegistryLimits;
  readonly #addressPolicy: RegistryDeps['addressPolicy'];
  readonly #origins: () => readonly string[] | undefined;
  readonly #hostCheck: HostCheck | undefined;
  readonly #log: Logger;
  #state: RegistryState;
  readonly #listeners: ChangeListeners;
  readonly #store: RegistryStore;
  readonly #writer: JournalWriter;

  private constructor(deps: RegistryDeps) {
    this.#clock = deps.clock;
    this.#log = deps.logger ?? silentLogger;
    this.#listeners = new ChangeListeners(this.#log);
    this.#maxSkewMs = deps.maxSkewMs ?? 10 * 60_000;
    const maxInvoiceAgeMs = deps.maxInvoiceAgeMs ?? 7 * 86_400_000;
    this.#ratingRules = { network: deps.network, maxSkewMs: this.#maxSkewMs, maxInvoiceAgeMs };
    this.#rng = deps.rng ?? createRng(Buffer.from(osSecrets.bytes(16)).toString('hex'));
    this.#limits = registryLimits(deps.limits);
    this.#state = new RegistryState(this.#limits.ratingsPerListing);
    this.#addressPolicy = deps.addressPolicy;
    const { origins } = deps;
    const fixed = Array.isArray(origins) ? originsOf(origins) : undefined; // a bad one throws here, at open
    this.#origins = typeof origins === 'function' ? () => originsOf(origins) : () => fixed;
    const { clock, addressPolicy: policy, resolveTimeoutMs: timeoutMs } = deps;
    const resolve = resolverOf(deps);
    this.#hostCheck = listingHostCheck({ policy, clock, resolve, timeoutMs, atOnce: deps.maxResolving });
    this.#store = deps.store ?? new MemoryRegistryStore();
    this.#writer = new JournalWriter(this.#store, () => this.#state, this.#log);
  }

  /** Opens a registry on `deps.store` (memory by default), loading what it saved before: its snapshot, then its journal. */
  static async open(deps: RegistryDeps): Promise<Registry> {
    const r = new Registry(deps);
    const saved = await r.#store.load();
    for (const warning of saved?.warnings ?? []) r.#log.warn(warning);
    try {
      r.#state = RegistryState.load(saved, r.#limits.ratingsPerListing);
    } catch (err) {
      await r.#store.close?.(); // a registry that does not open gives its file up
      throw err;
    }
    return r;
  }

  /**
   * Adds a listing signed by its node key (a copy is checked and kept: the caller's objects stay
   * its own), once its host name passes the address policy (`listingHostCheck`).
   */
  register(signed: SignedListing): Promise<RegistryResult<{ listing: Listing }>> {
    const req = structuredClone(signed);
    const id = listingId(req.listing.nodePubkey, req.listing.url);
    const { listing: fields, signedAt, registry } = req;
    const action: SignedAction = { action: 'register', listing: fields, signedAt, registry };
    const refusal = () => registrationRefusal(this.#state, this.#rules(), action, req, id);
    return checkedWrite(this.#writer, this.#hostCheck, req.listing.url, refusal, async () => {
      const now = this.#clock.now();
      const listing = this.#state.ratings.withRating({
        ...req.listing,
        id,
        createdAt: now,
        updatedAt: now,
        signedAt: req.signedAt,
      });
      await this.#writer.commit({ op: 'put', listing });
      this.#listeners.emit({ type: 'listing_added', listing });
      return { ok: true, listing: structuredClone(listing) };
    });
  }

  /** Replaces a listing's fields; signed by its registering key, newer than its last signed change; its host checked again. */
  update(id: string, signed: SignedListing): Promise<RegistryResult<{ listing: Listing }>> {
    const req = structuredClone(signed);
    const { listing: fields, signedAt, registry } = req;
    const action: SignedAction = { action: 'update', id, listing: fields, signedAt, registry };
    const refusal = () => updateRefusal(this.#state, this.#rules(), action, req, id);
    return checkedWrite(this.#writer, this.#hostCheck, req.listing.url, refusal, async () => {
      const old = this.#state.listings.get(id)!;
      const listing = updatedListing(id, req, old, this.#clock.now());
      await this.#writer.commit({ op: 'put', listing });
      this.#listeners.emit({ type: 'listing_updated', listing });
      this.#listeners.priceChange(listing, entryPriceMsat(old), entryPriceMsat(listing));
      return { ok: true, listing: structuredClone(listing) };
    });
  }

  /** Removes a listing; signed by its key. Its id stays tombstoned so old registrations cannot be replayed. */
  remove(id: string, req: SignedRemoval): Promise<RegistryResult<{ listing: Listing }>> {
    return this.#writer.inTurn(async () => {
      const old = this.#state.listings.get(id);
      if (!old) return fail('not_found', `no listing ${id}`);
      const action: SignedAction = { action: 'remove', id, signedAt: req.signedAt, registry: req.registry };
      const refused =
        checkSignature(action, req.signature, old.nodePubkey, this.#rules()) ??
        checkNewer(req.signedAt, old.signedAt);
      if (refused) return refused;
      const pruneBefore = this.#clock.now() - this.#maxSkewMs;
      await this.#writer.commit({ op: 'remove', id, signedAt: req.signedAt, pruneBefore });
      this.#listeners.emit({ type: 'listing_removed', listing: old });
      return { ok: true, listing: structuredClone(old) };
    });
  }

  /**
   * Records a rating: a paid, recent invoice of the listing's node on the
   * registry's network, signed for by a different paying node; one per
   * payment hash, weighted by the amount paid up to the dearest tier; at most
   * `limits.ratingsPerListing` records kept per listing.
   */
  rate(
    id: string,
    req: RatingRequest,
  ): Promise<RegistryResult<{ rating: ListingRating; paymentHash: string }>> {
    return this.#writer.inTurn(async () => {
      const listing = this.#state.listings.get(id);
      if (!listing) return fail('not_found', `no listing ${id}`);
      const rules = { ...this.#ratingRules, now: this.#clock.now(), origins: this.#origins() };
      const cutoff = ratingCutoff(rules);
      // Records too old to rate again go first: they no longer count against the listing's bound.
      if (this.#state.ratings.keepsRecordsBefore(cutoff))
        this.#writer.applyUnwritten({ op: 'prune_ratings', before: cutoff });
      const checked = this.#state.ratings.check(listing, req, rules);
      if (!checked.ok) {
        this.#writer.writeUnwritten();
        return checked;
      }
      if ('dispute' in checked) return this.#dispute(checked.dispute);
      await this.#writer.commit({ op: 'rate', record: checked.record });
      const updated = this.#state.listings.get(id)!;
      this.#listeners.emit({ type: 'listing_updated', listing: updated });
      return { ok: true, rating: { ...updated.rating! }, paymentHash: checked.record.paymentHash };
    });
  }

  /** Disputes the record of a payment a second payer key proved (see `RatingBook`): neither rating counts from now on. */
  async #dispute(d: {
    paymentHash: string;
    payer: string;
    refusal: RegistryFailure;
  }): Promise<RegistryFailure> {
    await this.#writer.commit({ op: 'dispute_rating', paymentHash: d.paymentHash, payer: d.payer });
    const rated = this.#state.listings.get(this.#state.ratings.listingOf(d.paymentHash) ?? '');
    if (rated) this.#listeners.emit({ type: 'listing_updated', listing: rated });
    return d.refusal;
  }

  /** Stores a probe result (from the health prober); emits health/price changes. */
  recordHealth(id: string, health: ListingHealth): Promise<void> {
    return this.#writer.inTurn(async () => {
      const old = this.#state.listings.get(id);
      if (!old) return;
      await this.#writer.commit({ op: 'health', id, health: { ...health } });
      const listing = this.#state.listings.get(id)!;
      if (old.health?.alive !== health.alive) this.#listeners.emit({ type: 'health_changed', listing });
      this.#listeners.priceChange(listing, old.health?.quotedPriceMsat, health.quotedPriceMsat);
    });
  }

  /** One listing (a copy), or undefined. */
  get(id: string): Listing | undefined {
    const l = this.#state.listings.get(id);
    return l && structuredClone(l);
  }

  /** Filtered, sorted, limited copies. */
  search(q: ListingQuery = {}): Listing[] {
    return searchListings(this.#state.listings, q, this.#rng).map((l) => structuredClone(l));
  }

  /** The same search as a JSON array, serialized from the listings themselves (no copies): the HTTP answer. */
  searchJson(q: ListingQuery = {}): string {
    return JSON.stringify(searchListings(this.#state.listings, q, this.#rng));
  }

  /** Every listing (copies), in id order: what the health prober walks. */
  all(): Listing[] {
    return [...this.#state.listings.values()]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((l) => structuredClone(l));
  }

  /** Number of listings. */
  get size(): number {
    return this.#state.listings.size;
  }

  /** Calls `listener` on every change, synchronously, in order. Returns the unsubscribe function. */
  subscribe(listener: (e: RegistryEvent) => void): () => void {
    return this.#listeners.subscribe(listener);
  }

  /** Resolves when every change so far is in the store, as one snapshot (the journal folded into it): what a clean shutdown waits for. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  #rules(): WriteRules {
    const [policy, origins] = [this.#addressPolicy, this.#origins()];
    return { now: this.#clock.now(), maxSkewMs: this.#maxSkewMs, limits: this.#limits, policy, origins };
  }
}
