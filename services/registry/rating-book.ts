import type { RatingRequest, RatingRules } from './ratings.js';
import { verifyRating } from './ratings.js';
import { fail } from './signed-writes.js';
import { ratingWeightMsat, servedRating } from './rating-weight.js';
import type {
  Listing,
  ListingRating,
  RatingRecord,
  RatingSum,
  RegistryFailure,
  RegistryResult,
} from './types.js';
import { LabError } from '../../infra/errors.js';

interface Sums {
  weighted: bigint;
  paid: bigint;
  count: number;
}

/**
 * The registry's proven ratings: per listing the weighted sums its rating is
 * computed from (bigint, so sums of msat never round; each rating weighs its
 * invoice's amount capped at the listing's highest tier price, see
 * `ratingWeightMsat`), and one record per payment hash while that hash could
 * still rate (a hash rates once). A record is dropped once its invoice is too
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
      if (!sums && Number.isSafeInteger(rec.amountMsat) && rec.amountMsat > 0) this.#addToSums(rec);
    }
    for (const s of sums ?? []) this.#sums.set(s.listingId, parseSum(s));
  }

  /**
   * The record a rating of `listing` adds if `req` proves a purchase under
   * `rules` (see `verifyRating`) with a payment hash not used before and the
   * listing keeps fewer than `recordsPerListing` records; the book is not
   * changed (`add` keeps the record). Records made before
   * `ratingCutoff(rules)` should be pruned first, so they no longer count
   * against the bound.
   */
  check(listing: Listing, req: RatingRequest, rules: RatingRules): RegistryResult<{ record: RatingRecord }> {
    const proof = verifyRating(req, listing, rules);
    if (!proof.ok) return proof;
    const { paymentHash, amountMsat } = proof;
    if (this.#records.has(paymentHash))
      return fail('already_rated', `payment ${paymentHash} was already used to rate`);
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
