import { ratio } from './stats.js';
import { endRole, type PurchaseRow, type TaskRow } from './rows.js';

/**
 * Welfare split three ways, summed over the run:
 * buyer surplus (what end tasks earned minus what they paid, fees included),
 * seller profit (what sellers and resellers received minus what they paid
 * upstream and their cost of serving each delivered call) and routing
 * income (fees). The three add up to task value earned minus serving cost.
 */
export interface WelfareStats {
  /** End tasks (buyers and sub-agents) and how many finished. */
  tasks: number;
  done: number;
  /** Value end tasks earned: tasks.csv's `earnedMsat` (all of it when done, else by the task's credit rule: agents/buyer/credit.ts). */
  valueMsat: number;
  /** What end tasks paid, fees included. */
  costMsat: number;
  /** valueMsat − costMsat. */
  buyerSurplusMsat: number;
  /** buyerSurplusMsat / tasks (null without end tasks). */
  buyerSurplusPerTaskMsat: number | null;
  /** Paid to sellers and resellers by everyone. */
  sellerRevenueMsat: number;
  /** Paid upstream (fees included) by resellers restocking and sellers buying inputs. */
  sellerUpstreamMsat: number;
  /** Sellers' cost of serving delivered calls (the scenario's `costMsat` per call). */
  sellerCostMsat: number;
  /** sellerRevenueMsat − sellerUpstreamMsat − sellerCostMsat. */
  sellerProfitMsat: number;
  /** Routing fees earned by the network's nodes. */
  routingIncomeMsat: number;
  /** buyerSurplusMsat + sellerProfitMsat + routingIncomeMsat. */
  totalMsat: number;
  /** End tasks by why their run ended (done, no_sellers, budget_exhausted, …). */
  byStopReason: Record<string, number>;
}

/** Folds rows and task rows into the welfare split. */
export class WelfareAcc {
  #tasks = 0;
  #done = 0;
  #value = 0;
  #cost = 0;
  #revenue = 0;
  #upstream = 0;
  #serving = 0;
  #fees = 0;
  readonly #stops = new Map<string, number>();

  purchase(r: PurchaseRow): void {
    this.#revenue += r.paidMsat;
    this.#fees += r.feeMsat;
    this.#serving += r.sellerCostMsat;
    if (r.role === 'reseller' || r.role === 'seller') this.#upstream += r.paidMsat + r.feeMsat;
  }

  /** Counts an end task (buyers and sub-agents); an intermediary's tasks are costs inside what it sells. */
  task(t: TaskRow): void {
    if (!endRole(t.role)) return;
    this.#tasks++;
    if (t.done) this.#done++;
    this.#value += t.earnedMsat;
    this.#cost += t.spentMsat + t.feesMsat;
    this.#stops.set(t.stopReason, (this.#stops.get(t.stopReason) ?? 0) + 1);
  }

  result(): WelfareStats {
    const surplus = this.#value - this.#cost;
    const profit = this.#revenue - this.#upstream - this.#serving;
    return {
      tasks: this.#tasks,
      done: this.#done,
      valueMsat: this.#value,
      costMsat: this.#cost,
      buyerSurplusMsat: surplus,
      buyerSurplusPerTaskMsat: ratio(surplus, this.#tasks),
      sellerRevenueMsat: this.#revenue,
      sellerUpstreamMsat: this.#upstream,
      sellerCostMsat: this.#serving,
      sellerProfitMsat: profit,
      routingIncomeMsat: this.#fees,
      totalMsat: surplus + profit + this.#fees,
      byStopReason: Object.fromEntries([...this.#stops].sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }
}
