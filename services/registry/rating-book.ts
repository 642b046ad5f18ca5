import type { RatingRequest, RatingRules } from './ratings.js';
import { verifyRating } from './ratings.js';
import { fail } from './signed-writes.js';
import { ratingWeightMsat, servedRating } from './rating-weight.js';
import type { Listing, ListingRating, RatingRecord, RatingSum, RegistryFailure } from './types.js';
import { LabError } from '../../infra/errors.js';

interface Sums {
  weighted: bigint;
  paid: bigint;
  count: number;
}

/**
 * What a rating proving a purchase does: add a record (`record`), or, when another payer key rated
 * the same payment first, dispute that record (`dispute`: see `RatingBook.check`).
 */
export type RatingCheck =
  | RegistryFailure
  | { ok: true; record: RatingRecord }
  | { ok: true; dispute: { paymentHash: string; payer: string; refusal: RegistryFailure } };

/**
 * The registry's proven ratings: per listing the weighted sums its rating is
 * computed from (bigint, so sums of msat never round; each rating weighs its
 * invoice's amount capped at the listing's highest tier price, see
 * `ratingWeightMsat`), and one record per payment hash while that hash could
 * still rate (a hash rates once). Whoever holds a payment's preimage can rate
 * with it, the seller too, under a key of its own: when a second, different
 * payer key proves a payment already rated, the record is disputed, its
 * weight leaves the sums, and the hash rates no more, so a seller rating its
 * own sale first voids the buyer's rating but cannot replace it with its
 * own. A record is dropped once its invoice is too
 * old to rate again (`maxInvoiceAgeMs + maxSkewMs` after it was recorded);
 * a listing keeps at most `recordsPerListing` records, and a rating beyond
 * that is refused (`too_many_ratings`) until older ones are dropped, so the
 * records stay bounded while the sums keep every accepted rating.
 */
export class RatingBook {
  readonly #records = new Map<string, RatingRecord>();
  readonly #sums = new Map<string, Sums>();
  /** Records kept per listing. */
  readonly #kept = new Map<string, number>();
  readonly #recordsPerListing: number;

  constructor(recordsPerListing: number) {
    this.#recordsPerListing = recordsPerListing;
  }

  /**
   * Loads a snapshot's records and sums. A snapshot without sums (version 1)
   * has every record, so the sums are rebuilt from them. A record without a
   * positive amount predates signed ratings: its hash stays used, it weighs nothing.
   */
  load(records: Iterable<RatingRecord>, sums: readonly RatingSum[] | undefined): void {
    for (const rec of records) {
      this.#keep(rec);
      const weighs = Number.isSafeInteger(rec.amountMsat) && rec.amountMsat > 0 && !rec.disputed;
      if (!sums && weighs) this.#addToSums(rec);
    }
    for (const s of sums ?? []) this.#sums.set(s.listingId, parseSum(s));
  }

  /**
   * The record a rating of `listing` adds if `req` proves a purchase under
   * `rules` (see `verifyRating`) with a payment hash not used before and the
   * listing keeps fewer than `recordsPerListing` records; for a payment hash
   * another payer key rated first, the dispute of that record (whichever of
   * the node's listings it rates); the book is not changed (`add` keeps the
   * record, `dispute` disputes it). Records made before
   * `ratingCutoff(rules)` should be pruned first, so they no longer count
   * against the bound.
   */
  check(listing: Listing, req: RatingRequest, rules: RatingRules): RatingCheck {
    const proof = verifyRating(req, listing, rules);
    if (!proof.ok) return proof;
    const { paymentHash, amountMsat } = proof;
    const rated = this.#records.get(paymentHash);
    if (rated) return this.#again(rated, req.payer);
    const full = this.#checkRoom(listing.id, rules);
    if (full) return full;
    const record: RatingRecord = {
      listingId: listing.id,
      paymentHash,
      score: req.score,
      at: rules.now,
      amountMsat: ratingWeightMsat(listing.tiers, amountMsat),
      payer: req.payer,
    };
    return { ok: true, record };
  }

  /** Keeps `rec` (its hash used) and adds its weight to its listing's sums. */
  add(rec: RatingRecord): void {
    this.#keep(rec);
    this.#addToSums(rec);
  }

  /** Marks the record of `paymentHash` disputed and takes its weight out of its listing's sums (see `check`); returns that listing's id. */
  dispute(paymentHash: string): string {
    const rec = this.#records.get(paymentHash);
    if (!rec || !disputable(rec))
      throw new Error(`payment ${paymentHash} has no rating that can be disputed`);
    this.#records.set(paymentHash, { ...rec, disputed: true });
    const s = this.#sums.get(rec.listingId)!;
    const amount = BigInt(rec.amountMsat);
    this.#sums.set(rec.listingId, {
      weighted: s.weighted - BigInt(rec.score) * amount,
      paid: s.paid - amount,
      count: s.count - 1,
    });
    return rec.listingId;
  }

  /** The listing the record of `paymentHash` rates, if it is kept. */
  listingOf(paymentHash: string): string | undefined {
    return this.#records.get(paymentHash)?.listingId;
  }

  /** Whether a record made before `cutoff` is kept (`prune(cutoff)` would drop it). */
  keepsRecordsBefore(cutoff: number): boolean {
    const oldest = this.#records.values().next();
    return !oldest.done && oldest.value.at < cutoff;
  }

  /** A listing's weighted average, count and total weight as served (see `servedRating`); undefined before its first weighted rating. */
  ratingOf(id: string): ListingRating | undefined {
    const s = this.#sums.get(id);
    return s && servedRating(s.weighted, s.paid, s.count);
  }

  /** `l` with the rating this book holds for its id (none when it holds none), whatever `l` carried. */
  withRating(l: Listing): Listing {
    const { rating: _stored, ...rest } = l;
    const rating = this.ratingOf(l.id);
    return rating ? { ...rest, rating } : rest;
  }

  /** The records kept, in the order recorded, and every listing's sums (for the snapshot). */
  snapshot(): { ratings: RatingRecord[]; ratingSums: RatingSum[] } {
    return {
      ratings: [...this.#records.values()],
      ratingSums: [...this.#sums].map(([listingId, s]) => ({
        listingId,
        weightedScoreMsat: s.weighted.toString(),
        paidMsat: s.paid.toString(),
        count: s.count,
      })),
    };
  }

  /**
   * Drops the records made before `cutoff` (see `ratingCutoff`): their
   * invoices were issued at most `maxSkewMs` after they were recorded, so they
   * are now older than `maxInvoiceAgeMs` and refused as stale before their
   * hash is looked up. Records are in the order recorded; the scan stops at
   * the first newer one.
   */
  prune(cutoff: number): void {
    for (const [hash, rec] of this.#records) {
      if (rec.at >= cutoff) return;
      this.#records.delete(hash);
      const left = (this.#kept.get(rec.listingId) ?? 1) - 1;
      if (left > 0) this.#kept.set(rec.listingId, left);
      else this.#kept.delete(rec.listingId);
    }
  }

  /**
   * A payment rated before, proved again by `payer`: refused when the same key sends it again or the
   * record cannot be disputed (disputed already, or older than signed ratings); a dispute otherwise.
   */
  #again(rated: RatingRecord, payer: string): RatingCheck {
    const hash = rated.paymentHash;
    if (rated.disputed)
      return fail(
        'already_rated',
        `payment ${hash} is disputed (two payer keys proved it): it counts for no rating, and nothing more can rate with it`,
      );
    if (rated.payer === payer || !disputable(rated))
      return fail('already_rated', `payment ${hash} was already used to rate`);
    const refusal = fail(
      'rating_disputed',
      `payment ${hash} was rated first by another payer key (${rated.payer}); a payment rates once, so with two keys ` +
        'proving it neither rating counts: the first is taken out of the rating and this one is not added',
    );
    return { ok: true, dispute: { paymentHash: hash, payer, refusal } };
  }

  #keep(rec: RatingRecord): void {
    this.#records.set(rec.paymentHash, rec);
    this.#kept.set(rec.listingId, (this.#kept.get(rec.listingId) ?? 0) + 1);
  }

  /** Refuses a rating of a listing that already keeps `recordsPerListing` records. */
  #checkRoom(id: string, rules: RatingRules): RegistryFailure | undefined {
    const kept = this.#kept.get(id) ?? 0;
    if (kept < this.#recordsPerListing) return undefined;
    const windowH = Math.round((rules.maxInvoiceAgeMs + rules.maxSkewMs) / 3_600_000);
    return fail(
      'too_many_ratings',
      `listing ${id} has ${kept} ratings from the last ${windowH} h, the most the registry keeps per listing; retry later, as the oldest age out`,
    );
  }

  #addToSums(rec: RatingRecord): void {
    const s = this.#sums.get(rec.listingId) ?? { weighted: 0n, paid: 0n, count: 0 };
    const amount = BigInt(rec.amountMsat);
    this.#sums.set(rec.listingId, {
      weighted: s.weighted + BigInt(rec.score) * amount,
      paid: s.paid + amount,
      count: s.count + 1,
    });
  }
}

/**
 * Whether a second payer key can dispute `rec`: a signed, undisputed rating of a positive weight,
 * which weighs in its listing's sums however they were made (live, or rebuilt from a version 1
 * snapshot), so a dispute takes exactly its weight out.
 */
function disputable(rec: RatingRecord): boolean {
  const signed = typeof rec.payer === 'string';
  return signed && !rec.disputed && Number.isSafeInteger(rec.amountMsat) && rec.amountMsat > 0;
}

/** When a rating arrives under `rules`, the records made before this can no longer matter: see `RatingBook.prune`. */
export function ratingCutoff(rules: RatingRules): number {
  return rules.now - rules.maxInvoiceAgeMs - rules.maxSkewMs;
}

function parseSum(s: RatingSum): Sums {
  try {
    const sums = { weighted: BigInt(s.weightedScoreMsat), paid: BigInt(s.paidMsat), count: s.count };
    if (sums.paid >= 0n && Number.isSafeInteger(sums.count) && sums.count >= 0) return sums;
  } catch {
    // Not an integer string: refused below.
  }
  throw new LabError(
    'corrupt_store',
    `saved rating sums of listing ${s.listingId} are not non-negative integers: ${JSON.stringify(s)}`,
  );
}
