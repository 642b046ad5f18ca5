import type { RatingRequest, RatingRules } from './ratings.js';
import { verifyRating } from './ratings.js';
import { fail } from './signed-writes.js';
import type { Listing, ListingRating, RatingRecord, RegistryResult } from './types.js';

/**
 * The registry's proven ratings: one record per payment hash (a hash rates
 * once), and per listing the amount-weighted sums its rating is computed
 * from. Sums are bigint so sums of msat never round.
 */
export class RatingBook {
  readonly #records = new Map<string, RatingRecord>();
  readonly #sums = new Map<string, { weighted: bigint; paid: bigint; count: number }>();

  /** Loads saved records. A record without a positive amount predates signed ratings: its hash stays used, it weighs nothing. */
  load(records: Iterable<RatingRecord>): void {
    for (const rec of records) {
      this.#records.set(rec.paymentHash, rec);
      if (Number.isSafeInteger(rec.amountMsat) && rec.amountMsat > 0) this.#addToSums(rec);
    }
  }

  /**
   * Records a rating of `listing` if `req` proves a purchase under `rules`
   * (see `verifyRating`) with a payment hash not used before; returns the
   * listing's new rating.
   */
  rate(
    listing: Listing,
    req: RatingRequest,
    rules: RatingRules,
  ): RegistryResult<{ rating: ListingRating; paymentHash: string }> {
    const proof = verifyRating(req, listing, rules);
    if (!proof.ok) return proof;
    const { paymentHash, amountMsat } = proof;
    if (this.#records.has(paymentHash))
      return fail('already_rated', `payment ${paymentHash} was already used to rate`);
    const rec: RatingRecord = {
      listingId: listing.id,
      paymentHash,
      score: req.score,
      at: rules.now,
      amountMsat,
      payer: req.payer,
    };
    this.#records.set(paymentHash, rec);
    this.#addToSums(rec);
    return { ok: true, rating: this.ratingOf(listing.id)!, paymentHash };
  }

  /** A listing's amount-weighted average, count and total paid; undefined before its first weighted rating. */
  ratingOf(id: string): ListingRating | undefined {
    const s = this.#sums.get(id);
    if (!s || s.paid === 0n) return undefined;
    return { average: Number(s.weighted) / Number(s.paid), count: s.count, paidMsat: Number(s.paid) };
  }

  /** Every record, in the order recorded (for the snapshot). */
  records(): RatingRecord[] {
    return [...this.#records.values()];
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
