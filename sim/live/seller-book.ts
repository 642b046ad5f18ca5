import type { SellerView, Snapshot } from './snapshot.js';

/** Seller rows a snapshot carries, the most active; the rest are counted in `sellersNotShown`. */
export const MAX_SELLERS = 50;

/**
 * Sellers the market did not declare that are tracked (a row, their failures, their resale):
 * resellers, and in a replay any name its files use. A replay's files are input like any other, so
 * past this many a name is only counted, and neither memory nor a snapshot grows with them.
 */
export const MAX_UNDECLARED_SELLERS = 1_000;

/** The seller parts of a snapshot. */
export type SellersView = Pick<
  Snapshot,
  'sellers' | 'sellersNotShown' | 'failuresBySeller' | 'failingSellersNotShown'
>;

/**
 * The sellers as the live state folds them: every declared seller, and up to
 * MAX_UNDECLARED_SELLERS others, each with its row and failures by outcome.
 * The view carries at most MAX_SELLERS of each (the most active, in the order
 * they were first seen) and counts the rest.
 */
export class SellerBook {
  readonly rows = new Map<string, SellerView>();
  readonly #failures = new Map<string, Record<string, number>>();
  /** Undeclared names tracked (at most MAX_UNDECLARED_SELLERS), and those past the limit, only counted. */
  readonly #undeclared = new Set<string>();
  readonly #untracked = new Set<string>();

  /** Declares a seller (a row whatever the limit: the market's own sellers are bounded by its scenario). */
  declare(name: string, group: string): SellerView {
    let s = this.rows.get(name);
    if (!s) {
      s = { name, group, quotedMsat: 0, sales: 0, revenueMsat: 0, failures: 0, offline: false };
      this.rows.set(name, s);
    }
    return s;
  }

  /** True for a declared seller or one of the first MAX_UNDECLARED_SELLERS others; later ones are counted. */
  tracked(name: string): boolean {
    if (this.rows.has(name) || this.#undeclared.has(name)) return true;
    if (this.#undeclared.size < MAX_UNDECLARED_SELLERS) {
      this.#undeclared.add(name);
      return true;
    }
    this.#untracked.add(name);
    return false;
  }

  /** The row of `name`, made if it is tracked; undefined past the limit. */
  row(name: string, group: string): SellerView | undefined {
    return this.tracked(name) ? this.declare(name, group) : undefined;
  }

  /** A failed purchase from `seller` with `outcome`. */
  failed(seller: string, outcome: string): void {
    if (!this.tracked(seller)) return;
    let by = this.#failures.get(seller);
    // No prototype: a replay's outcome may be any text, "__proto__" included.
    if (!by) this.#failures.set(seller, (by = Object.create(null) as Record<string, number>));
    by[outcome] = (by[outcome] ?? 0) + 1;
    const s = this.rows.get(seller);
    if (s) s.failures++;
  }

  view(): SellersView {
    const rows = [...this.rows.values()];
    const sellers = mostActive(rows, (s) => s.sales + s.failures).map((s) => ({ ...s }));
    const failing = [...this.#failures];
    const shownFailing = mostActive(failing, ([, by]) => sum(by));
    return {
      sellers,
      sellersNotShown: rows.length - sellers.length + this.#untracked.size,
      failuresBySeller: Object.fromEntries(shownFailing.map(([name, by]) => [name, { ...by }])),
      failingSellersNotShown: failing.length - shownFailing.length,
    };
  }
}

/** The `max` items with the most `activity` (ties: the first seen), kept in the order given. */
export function mostActive<T>(items: T[], activity: (x: T) => number, max = MAX_SELLERS): T[] {
  if (items.length <= max) return items;
  const ranked = items
    .map((x, i) => ({ i, a: activity(x) }))
    .sort((x, y) => y.a - x.a || x.i - y.i)
    .slice(0, max)
    .sort((x, y) => x.i - y.i);
  return ranked.map(({ i }) => items[i]!);
}

function sum(by: Record<string, number>): number {
  let n = 0;
  for (const k in by) n += by[k]!;
  return n;
}
