import { paymentAttempted, type PurchaseRow } from './rows.js';

/** A fault as the run's warnings read it. */
export interface WarnedFault {
  atMs: number;
  kind: string;
  target: string;
}

/**
 * Scenario checks only a run can answer, reported in summary.json's
 * `warnings`: a seller in no purchase attempt (so it shaped nothing), and a
 * fault that changed nothing. Reads the purchase rows as they are recorded:
 * until when each buyer and seller an attempt named took part, and until
 * when any payment was under way. An attempt whose payment was still in
 * flight when its buyer stopped waiting (outcome `payment_timeout`, failure
 * `unknown`) counts as under way to the run's end: its HTLCs may still be out.
 *
 * A fault on a buyer or seller changed nothing when no attempt naming it was
 * under way at or after its start. A fault on any other node (a router) can
 * only change payments routed through it, and a purchase row does not say
 * which nodes its route crossed: such a fault is said to have changed
 * nothing only when no payment at all was under way at or after its start.
 */
export class RunActivity {
  readonly #agents = new Map<string, number>();
  #paymentsUntil = -1;

  /** One purchase row, as recorded. */
  purchase(row: Pick<PurchaseRow, 'buyer' | 'seller' | 'endMs' | 'outcome' | 'failure' | 'steps'>): void {
    const until = row.outcome === 'payment_timeout' && row.failure === 'unknown' ? Infinity : row.endMs;
    for (const who of [row.buyer, row.seller])
      this.#agents.set(who, Math.max(this.#agents.get(who) ?? -1, until));
    if (paymentAttempted(row)) this.#paymentsUntil = Math.max(this.#paymentsUntil, until);
  }

  /** The warnings for the run's seller instances and faults, from the rows recorded so far. */
  warnings(sellers: readonly string[], faults: readonly WarnedFault[]): string[] {
    const out: string[] = [];
    for (const s of sellers)
      if (!this.#agents.has(s))
        out.push(
          `seller ${s} took part in no purchase attempt: buyers never found it or never chose it (check registry.searchLimit, its price and capability)`,
        );
    for (const f of faults) {
      if (f.kind === 'node_online') continue;
      const why = this.#unchanged(sellers, f);
      if (why) out.push(`fault ${f.kind} on ${f.target} at ${f.atMs} ms changed nothing: ${why}`);
    }
    return out;
  }

  /** Why the fault changed nothing, or `undefined` when it may have changed something. */
  #unchanged(sellers: readonly string[], f: WarnedFault): string | undefined {
    const agents = [...this.#agents];
    const isAgent = sellers.some((s) => matches(s, f.target)) || agents.some(([n]) => matches(n, f.target));
    if (!isAgent)
      return this.#paymentsUntil >= f.atMs ? undefined : 'no payment was under way at or after it';
    return agents.some(([name, until]) => matches(name, f.target) && until >= f.atMs)
      ? undefined
      : `no purchase involved ${f.target} at or after it`;
  }
}

// A fault names an instance (honest-0) or a whole group (honest).
function matches(name: string, target: string): boolean {
  return name === target || (name.startsWith(`${target}-`) && /^\d+$/.test(name.slice(target.length + 1)));
}
