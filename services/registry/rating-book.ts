import type { RatingRequest, RatingRules } from './ratings.js';
import { verifyRating } from './ratings.js';
import { fail } from './signed-writes.js';
import type { Listing, ListingRating, RatingRecord, RatingSum, RegistryResult } from './types.js';
import { LabError } from '../../infra/errors.js';

interface Sums {
  weighted: bigint;
  paid: bigint;
  count: number;
}

/**
 * The registry's proven ratings: per listing the amount-weighted sums its
 * rating is computed from (bigint, so sums of msat never round), and one
 * record per payment hash while that hash could still rate (a hash rates
 * once). A record is dropped once its invoice is too old to rate again
 * (`maxInvoiceAgeMs + maxSkewMs` after it was recorded), so the records stay
 * bounded by the ratings of that window while the sums keep every rating.
 */
export class RatingBook {
  readonly #records = new Map<string, RatingRecord>();
  readonly #sums = new Map<string, Sums>();

  /**
   * Loads a snapshot's records and sums. A snapshot without sums (version 1)
   * has every record, so the sums are rebuilt from them. A record without a
   * positive amount predates signed ratings: its hash stays used, it weighs nothing.
   */
  load(records: Iterable<RatingRecord>, sums: readonly RatingSum[] | undefined): void {
    for (const rec of records) {
      this.#records.set(rec.paymentHash, rec);
      if (!sums && Number.isSafeInteger(rec.amountMsat) && rec.amountMsat > 0) this.#addToSums(rec);
    }
    for (const s of sums ?? []) this.#sums.set(s.listingId, parseSum(s));
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
    this.#prune(rules.now - rules.maxInvoiceAgeMs - rules.maxSkewMs);
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
   * Drops the records made before `cutoff`: their invoices were issued at
   * most `maxSkewMs` after they were recorded, so they are now older than
   * `maxInvoiceAgeMs` and refused as stale before their hash is looked up.
   * Records are in the order recorded; the scan stops at the first newer one.
   */
  #prune(cutoff: number): void {
    for (const [hash, rec] of this.#records) {
      if (rec.at >= cutoff) return;
      this.#records.delete(hash);
    }
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
