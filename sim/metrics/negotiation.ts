import type { NegotiationRecord } from '../../agents/l402/index.js';
import { ratio, sorted } from './stats.js';

/**
 * How one buyer group's negotiations went. Savings are over the agreements
 * paid at their agreed price: the posted price minus the agreed one (what a
 * buyer that does not negotiate would have paid, minus what this one paid).
 * An agreement never paid (denied by policy, refused on budget, its payment
 * failed) saved nothing: it counts in `agreed`, not in `paid` nor the sums.
 */
export interface NegotiationStats {
  /** Negotiations with sellers that negotiate (`not_offered` ones are counted apart). */
  negotiations: number;
  /** Negotiations that agreed a price, paid or not. */
  agreed: number;
  /** Agreed negotiations whose agreed invoice was paid (negotiation-outcomes.ts pairs them with purchases). */
  paid: number;
  /** Negotiations that agreed no price, `rate_limited` ones (the posted offer went on) among them. */
  noAgreement: number;
  /** Bids to sellers that answered with their ordinary 402. */
  notOffered: number;
  /** noAgreement / negotiations (null without negotiations). */
  failureRate: number | null;
  /** Bids per negotiation, agreed or not (null without negotiations). */
  meanRounds: number | null;
  /** Sums over the `paid` agreements: their posted prices, the agreed prices paid, and posted − paid. */
  postedMsat: number;
  paidMsat: number;
  savingsMsat: number;
  /** savingsMsat / postedMsat (null without a paid agreement). */
  savingsRate: number | null;
}

/** Folds negotiation records into per-group stats (summary.json's `negotiation`, present only when a run negotiated). */
export class NegotiationAggregator {
  readonly #groups = new Map<
    string,
    {
      n: number;
      agreed: number;
      paid: number;
      failed: number;
      notOffered: number;
      rounds: number;
      posted: number;
      paidMsat: number;
    }
  >();

  /** One negotiation of `group`; `paid`: its agreed price was paid (never for a negotiation without agreement). */
  add(group: string, r: NegotiationRecord, paid = false): void {
    let g = this.#groups.get(group);
    if (!g)
      this.#groups.set(
        group,
        (g = { n: 0, agreed: 0, paid: 0, failed: 0, notOffered: 0, rounds: 0, posted: 0, paidMsat: 0 }),
      );
    if (r.result === 'not_offered') {
      g.notOffered++;
      return;
    }
    g.n++;
    g.rounds += r.rounds;
    // No price agreed: the buyer walked or was refused, or a 429 or 503 left it the posted offer (`rate_limited`, `unavailable`).
    if (r.result !== 'agreed') {
      g.failed++;
      return;
    }
    g.agreed++;
    if (!paid) return;
    g.paid++;
    g.posted += r.postedMsat;
    g.paidMsat += r.agreedMsat ?? r.postedMsat;
  }

  get size(): number {
    return this.#groups.size;
  }

  result(): Record<string, NegotiationStats> {
    const out: Record<string, NegotiationStats> = {};
    for (const [group, g] of sorted(this.#groups)) {
      const savings = g.posted - g.paidMsat;
      out[group] = {
        negotiations: g.n,
        agreed: g.agreed,
        paid: g.paid,
        noAgreement: g.failed,
        notOffered: g.notOffered,
        failureRate: ratio(g.failed, g.n),
        meanRounds: ratio(g.rounds, g.n),
        postedMsat: g.posted,
        paidMsat: g.paidMsat,
        savingsMsat: savings,
        savingsRate: ratio(savings, g.posted),
      };
    }
    return out;
  }
}
