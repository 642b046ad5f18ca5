import type { PurchaseRow } from '../metrics/rows.js';
import type { ResaleView } from './snapshot.js';

/**
 * The resellers' rows of the live view: slices sold to sub-agents, their
 * revenue, the sub-agents served and what restocking cost. A reseller is a
 * seller to its sub-agents, so it has a row only while the seller book
 * tracks it (`tracked`): memory stays bounded by the sellers' limit.
 */
export class ResaleBook {
  readonly #rows = new Map<string, ResaleView & { subs: Set<string> }>();

  constructor(private readonly tracked: (name: string) => boolean) {}

  /** A sub-agent's purchase from its reseller, or a reseller's restocking. */
  record(r: PurchaseRow): void {
    const rs = this.#rowOf(r.role === 'sub-agent' ? r.seller : r.buyer);
    if (!rs) return;
    if (r.role === 'reseller') return void (rs.restockMsat += r.paidMsat + r.feeMsat);
    rs.subs.add(r.buyer);
    if (r.outcome === 'success') rs.slices++;
    rs.sliceRevenueMsat += r.paidMsat;
  }

  view(): ResaleView[] {
    return [...this.#rows.values()].map(({ subs, ...r }) => ({ ...r, subAgents: subs.size }));
  }

  /** A reseller's row; undefined past the sellers' limit. */
  #rowOf(name: string): (ResaleView & { subs: Set<string> }) | undefined {
    let r = this.#rows.get(name);
    if (!r) {
      if (!this.tracked(name)) return undefined;
      r = { reseller: name, slices: 0, sliceRevenueMsat: 0, subAgents: 0, restockMsat: 0, subs: new Set() };
      this.#rows.set(name, r);
    }
    return r;
  }
}
