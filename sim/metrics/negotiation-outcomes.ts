import type { NegotiationRecord } from '../../agents/l402/index.js';
import type { NegotiationAggregator } from './negotiation.js';
import type { PurchaseRow } from './rows.js';

/** Where a negotiation happened: the buyer group, the agent, and the task it bargained for. */
export interface NegotiationPlace {
  group: string;
  buyer: string;
  taskId: string;
}

/** A negotiation as a buyer reports it: its record and the seller it bargained with. */
export type SellerNegotiation = NegotiationRecord & { seller: string };

interface Open {
  group: string;
  r: SellerNegotiation;
  paid: boolean;
}

/**
 * Pairs each negotiation with what came of it, so an agreement counts as paid only when its agreed
 * price was. A buyer reports a negotiation as it ends, before its offer is authorized or paid; its
 * task's purchase rows come when the task ends. An agreed negotiation was paid when a row of the
 * same agent, task and seller paid exactly the agreed price for a fresh token. The buyer graph buys
 * one offer at a time per task, and a purchase from a seller that is denied or fails to pay drops
 * that seller for the task (or stops it), so the first unpaid agreement with that seller and price
 * is the one the row paid. A task's negotiations are counted when its task row comes; any left when
 * the run ends (a task never recorded) count as not paid, as no row paid them.
 */
export class NegotiationOutcomes {
  readonly #open = new Map<string, Open[]>();

  constructor(private readonly stats: NegotiationAggregator) {}

  /** A negotiation of the task at `at`, counted once the task ends. */
  negotiation(at: NegotiationPlace, r: SellerNegotiation): void {
    const k = key(at.buyer, at.taskId);
    let open = this.#open.get(k);
    if (!open) this.#open.set(k, (open = []));
    open.push({ group: at.group, r, paid: false });
  }

  /** A purchase row: marks the agreement it paid, if it paid one. */
  purchase(row: PurchaseRow): void {
    if (row.paidMsat === 0 || row.tokenReused) return;
    const paid = this.#open
      .get(key(row.buyer, row.taskId))
      ?.find(
        (o) =>
          !o.paid && o.r.result === 'agreed' && o.r.seller === row.seller && o.r.agreedMsat === row.paidMsat,
      );
    if (paid) paid.paid = true;
  }

  /** The task ended: its negotiations are counted, paid or not. */
  taskEnded(buyer: string, taskId: string): void {
    const k = key(buyer, taskId);
    for (const o of this.#open.get(k) ?? []) this.stats.add(o.group, o.r, o.paid);
    this.#open.delete(k);
  }

  /** The run ended: negotiations of tasks never recorded are counted, not paid. */
  flush(): void {
    for (const open of this.#open.values()) for (const o of open) this.stats.add(o.group, o.r, o.paid);
    this.#open.clear();
  }
}

function key(buyer: string, taskId: string): string {
  return `${buyer}\u0000${taskId}`;
}
