import type { RecordEvent } from '../metrics/recorder.js';
import type { PurchaseRow } from '../metrics/rows.js';
import type { RecentView, SellerView, Snapshot, Totals } from './snapshot.js';
import { Flows, stepPhase } from './flows.js';
import { AgentBook, type LiveAgent } from './agent-views.js';
import { SellerBook } from './seller-book.js';
import { ResaleBook } from './resale-book.js';

/** What the live state folds: the recorder's events plus the start of each task (discover). */
export type LiveInput =
  RecordEvent | { kind: 'task_start'; t: number; buyer: string; group: string; role: string };

export { MAX_AGENTS, MAX_GROUPS, MAX_UNDECLARED_AGENTS } from './agent-views.js';
export { MAX_FLOWS } from './flows.js';
export { MAX_SELLERS, MAX_UNDECLARED_SELLERS } from './seller-book.js';
const MAX_RECENT = 12;
const MAX_FAULTS = 10;

/**
 * The market as the page sees it, folded event by event from what the
 * recorder reports (live) or from a finished run's files (replay). Memory is
 * bounded by the number of agents and sellers, not by the number of purchases;
 * sellers and agents the market did not declare are tracked up to
 * MAX_UNDECLARED_SELLERS and MAX_UNDECLARED_AGENTS.
 */
export class LiveState {
  readonly totals: Totals = {
    purchases: 0,
    successes: 0,
    byOutcome: {},
    spentMsat: 0,
    feesMsat: 0,
    revenueMsat: 0,
    sales: 0,
    tasks: 0,
    tasksDone: 0,
  };
  readonly #sellers = new SellerBook();
  readonly #agents = new AgentBook();
  readonly #flows = new Flows();
  readonly #recent: RecentView[] = [];
  readonly #resale = new ResaleBook((name) => this.#sellers.tracked(name));
  readonly #faults: Snapshot['faults'] = [];
  #seq = 0;
  /** Latest market time seen in the events. */
  tMs = 0;

  /** @param sellerOf maps a purchase URL to its seller's name. */
  constructor(readonly sellerOf: (url: string) => string = sellerFromHost) {}

  /** The agents tracked, by name. */
  get agents(): ReadonlyMap<string, LiveAgent> {
    return this.#agents.rows;
  }

  /** Declares an agent before it acts (so idle agents and their budgets show). */
  agent(name: string, group: string, role: string, budgetMsat = 0): LiveAgent {
    return this.#agents.declare(name, group, role, budgetMsat);
  }

  /** Declares a seller before it sells. */
  seller(name: string, group: string): SellerView {
    return this.#sellers.declare(name, group);
  }

  apply(e: LiveInput): void {
    this.#seq++;
    if (e.kind === 'purchase') return this.#purchase(e.row);
    if (e.kind === 'sale') {
      this.totals.revenueMsat += e.amountMsat;
      this.totals.sales++;
      const s = this.#sellers.row(e.seller, e.group);
      if (s) {
        s.sales++;
        s.revenueMsat += e.amountMsat;
      }
      return;
    }
    this.tMs = Math.max(this.tMs, e.t);
    if (e.kind === 'task_start') {
      const a = this.#agents.row(e.buyer, e.group, e.role);
      if (!a) return;
      a.active++;
      a.phase = 'discover';
      a.seen = this.#seq;
      return;
    }
    if (e.type === 'step') this.#step(e.data);
    else if (e.type === 'task') this.#taskEnd(e.data);
    else if (e.type === 'reprice') this.#selfPriced(e.data);
    else if (e.type === 'fault') {
      const d = e.data as { kind: string; target: string; detail: string };
      this.#faults.unshift({ tMs: e.t, kind: d.kind, target: d.target, detail: d.detail });
      this.#sellerFault(d);
      this.#faults.length = Math.min(this.#faults.length, MAX_FAULTS);
    }
  }

  #step(d: Record<string, unknown>): void {
    const buyer = String(d.buyer ?? '');
    const seller = this.sellerOf(String(d.url ?? ''));
    const step = String(d.step);
    const phase = stepPhase(step);
    if (!phase || !buyer) return;
    const a = this.agents.get(buyer);
    if (a) {
      a.phase = phase;
      a.seen = this.#seq;
    }
    // The price a buyer was quoted: the 402 challenge's amount, or what it then authorized.
    const quoted = (step === 'challenge' || step === 'authorize') && typeof d.amountMsat === 'number';
    const s = quoted ? this.#sellers.row(seller, seller) : undefined;
    if (s) s.quotedMsat = d.amountMsat as number;
    this.#flows.step(buyer, seller, phase, d, this.#seq);
  }

  /** A seller's node going off or on line, or its price changing, shows in its row (live and in replay). */
  #sellerFault(d: { kind: string; target: string; detail: string }): void {
    const s = this.#sellers.rows.get(d.target);
    if (!s) return;
    if (d.kind === 'node_offline') s.offline = true;
    else if (d.kind === 'node_online') s.offline = false;
    const price = d.kind === 'price_change' ? /price now (\d+) msat/.exec(d.detail) : null;
    if (price) s.priceMsat = Number(price[1]);
  }

  /** A seller that moved its own price no longer charges a presenter's (runs recorded before that was refused). */
  #selfPriced(d: Record<string, unknown>): void {
    const s = this.#sellers.rows.get(String(d.seller));
    if (s && d.toMsat !== d.fromMsat) delete s.priceMsat;
  }

  #taskEnd(d: Record<string, unknown>): void {
    const buyer = String(d.buyer);
    const a = this.#agents.row(buyer, String(d.group), String(d.role));
    if (a) {
      a.active = Math.max(0, a.active - 1);
      a.tasks++;
      if (d.done === true) a.done++;
      if (a.active === 0) a.phase = 'idle';
    }
    // An agent past the limit has no count of its tasks: its purchases in progress end with any of them.
    if (!a || a.active === 0) this.#flows.endBuyer(buyer);
    if (d.role === 'buyer' || d.role === 'sub-agent') {
      this.totals.tasks++;
      if (d.done === true) this.totals.tasksDone++;
    }
  }

  #purchase(r: PurchaseRow): void {
    const t = this.totals;
    t.purchases++;
    t.byOutcome[r.outcome] = (t.byOutcome[r.outcome] ?? 0) + 1;
    if (r.outcome === 'success') t.successes++;
    t.spentMsat += r.paidMsat;
    t.feesMsat += r.feeMsat;
    const a = this.#agents.row(r.buyer, r.group, r.role);
    if (a) {
      a.spentMsat += r.paidMsat;
      a.feesMsat += r.feeMsat;
    }
    this.#attemptEnd(r, a);
    if (r.outcome !== 'success') this.#sellers.failed(r.seller, r.outcome);
    if (r.role === 'sub-agent' || r.role === 'reseller') this.#resale.record(r);
    const end = r.endMs;
    this.#recent.unshift({
      tMs: end,
      buyer: r.buyer,
      seller: r.seller,
      role: r.role,
      outcome: r.outcome,
      paidMsat: r.paidMsat,
      feeMsat: r.feeMsat,
      hops: r.hops,
    });
    this.#recent.length = Math.min(this.#recent.length, MAX_RECENT);
  }

  /**
   * The purchase record is the last of every attempt: its flow ends, and an
   * agent with no task and no other purchase in progress (a reseller, whose
   * restock has no step after its payment) is idle again.
   */
  #attemptEnd(r: PurchaseRow, a: LiveAgent | undefined): void {
    this.#flows.end(r.buyer, r.seller);
    if (a && a.active === 0 && this.#flows.ofBuyer(r.buyer) === 0) a.phase = 'idle';
  }

  /** The bounded parts of a snapshot that come from events (the caller adds mode, clock and graph). */
  view(): Pick<
    Snapshot,
    | 'totals'
    | 'sellers'
    | 'sellersNotShown'
    | 'groups'
    | 'groupsNotShown'
    | 'agents'
    | 'agentsNotTracked'
    | 'phases'
    | 'flows'
    | 'recent'
    | 'failures'
    | 'failuresBySeller'
    | 'failingSellersNotShown'
    | 'resale'
    | 'faults'
  > {
    const flows = this.#flows.view();
    const failures = Object.entries(this.totals.byOutcome)
      .filter(([o]) => o !== 'success')
      .map(([outcome, count]) => ({ outcome, count }))
      .sort((x, y) => y.count - x.count || (x.outcome < y.outcome ? -1 : 1));
    return {
      totals: { ...this.totals, byOutcome: { ...this.totals.byOutcome } },
      ...this.#sellers.view(),
      ...this.#agents.view(),
      flows,
      recent: [...this.#recent],
      failures,
      resale: this.#resale.view(),
      faults: [...this.#faults],
    };
  }
}

/** `cheap-feed` from `http://cheap-feed.sellers.sim/v1/…` (the embedded world's host names). */
export function sellerFromHost(url: string): string {
  try {
    return new URL(url).hostname.split('.')[0] ?? url;
  } catch {
    return url;
  }
}
