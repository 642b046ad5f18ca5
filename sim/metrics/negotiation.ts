import type { NegotiationRecord } from '../../agents/l402/index.js';
import { ratio, sorted } from './stats.js';

/**
 * How one buyer group's negotiations went. Savings are over agreed
 * negotiations: the posted price minus the agreed one (what a buyer that
 * does not negotiate would have been invoiced, minus what this one was).
 */
export interface NegotiationStats {
  /** Negotiations with sellers that negotiate (`not_offered` ones are counted apart). */
  negotiations: number;
  agreed: number;
  /** Negotiations that agreed no price, `rate_limited` ones (the posted offer went on) among them. */
  noAgreement: number;
  /** Bids to sellers that answered with their ordinary 402. */
  notOffered: number;
  /** noAgreement / negotiations (null without negotiations). */
  failureRate: number | null;
  /** Bids per negotiation, agreed or not (null without negotiations). */
  meanRounds: number | null;
  /** Sums over agreed negotiations. */
  postedMsat: number;
  agreedMsat: number;
  savingsMsat: number;
  /** savingsMsat / postedMsat (null without an agreement). */
  savingsRate: number | null;
}

/** Folds negotiation records into per-group stats (summary.json's `negotiation`, present only when a run negotiated). */
export class NegotiationAggregator {
  readonly #groups = new Map<
    string,
    {
      n: number;
      agreed: number;
      failed: number;
      notOffered: number;
      rounds: number;
      posted: number;
      agreedMsat: number;
    }
  >();

  add(group: string, r: NegotiationRecord): void {
    let g = this.#groups.get(group);
    if (!g)
      this.#groups.set(
        group,
        (g = { n: 0, agreed: 0, failed: 0, notOffered: 0, rounds: 0, posted: 0, agreedMsat: 0 }),
      );
    if (r.result === 'not_offered') {
      g.notOffered++;
      return;
    }
    g.n++;
    g.rounds += r.rounds;
    // No price agreed: the buyer walked or was refused, or a 429 or 503 left it the posted offer (`rate_limited`, `unavailable`).
    if (r.result !== 'agreed') g.failed++;
    else {
      g.agreed++;
      g.posted += r.postedMsat;
      g.agreedMsat += r.agreedMsat ?? r.postedMsat;
    }
  }

  get size(): number {
    return this.#groups.size;
  }

  result(): Record<string, NegotiationStats> {
    const out: Record<string, NegotiationStats> = {};
    for (const [group, g] of sorted(this.#groups)) {
      const savings = g.posted - g.agreedMsat;
      out[group] = {
        negotiations: g.n,
        agreed: g.agreed,
        noAgreement: g.failed,
        notOffered: g.notOffered,
        failureRate: ratio(g.failed, g.n),
        meanRounds: ratio(g.rounds, g.n),
        postedMsat: g.posted,
        agreedMsat: g.agreedMsat,
        savingsMsat: savings,
        savingsRate: ratio(savings, g.posted),
      };
    }
    return out;
  }
}
