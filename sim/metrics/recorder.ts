import { ratio } from './stats.js';
import { csvHeader, csvLine, taskCsvHeader, taskCsvLine } from './csv.js';
import { nullSink, type TextSink } from './sink.js';
import { delivered, endRole, type PurchaseRole, type PurchaseRow, type TaskRow } from './rows.js';
import type { Conservation } from './conservation.js';
import type { PostedPrice, Summary } from './summary.js';
import { RowAggregator } from './aggregate.js';
import { sorted } from './stats.js';
import { RunActivity } from './warnings.js';
import { NegotiationAggregator } from './negotiation.js';
import {
  NegotiationOutcomes,
  type NegotiationPlace,
  type SellerNegotiation,
} from './negotiation-outcomes.js';

/** Run facts the recorder stamps into the summary. */
export interface RecorderInfo {
  scenario: string;
  description: string;
  seed: string | number;
  backend: 'embedded' | 'regtest';
  scenarioHash: string;
  durationMs: number;
  /** Every seller instance and what serving one delivered call costs it (msat). */
  sellerCosts: Record<string, number>;
  /** Warnings the scenario's static checks gave (summary.json lists them first). */
  staticWarnings: string[];
  /** Set when the run's invoices were unsigned (recorded in summary.json; absent means signed). */
  invoices?: 'unsigned';
}

export interface RecorderSinks {
  purchases?: TextSink;
  tasks?: TextSink;
  events?: TextSink;
}

/** What a listener sees as the run is recorded: the same facts that go to the files, as they happen. */
export type RecordEvent =
  | { kind: 'purchase'; row: PurchaseRow }
  | { kind: 'sale'; seller: string; group: string; amountMsat: number; reseller: boolean }
  | { kind: 'event'; t: number; type: string; data: Record<string, unknown> };

export type RecordListener = (e: RecordEvent) => void;

/**
 * A purchase row as the market builds it: the recorder numbers it and books the cost of serving its
 * call. `servedBy` names the seller that served the call when it is not the payee (a resold slice's
 * check, served by the origin); it is not a column.
 */
export type NewPurchaseRow = Omit<PurchaseRow, 'seq' | 'sellerCostMsat'> & { servedBy?: string };

/**
 * Streams purchase rows to purchases.csv, task rows to tasks.csv and
 * events to events.jsonl, and folds the rows into summary.json's aggregates
 * (`RowAggregator`). Memory does not grow with the number of purchases.
 */
export class Recorder {
  readonly #purchases: TextSink;
  readonly #tasks: TextSink;
  readonly #events: TextSink;
  readonly #rows: RowAggregator;
  #seq = 0;
  #payersTotal = 0;
  #fees = 0;
  readonly #activity = new RunActivity();
  readonly #sellers = new Map<string, { revenueMsat: number; sales: number; refunds: number }>();
  readonly #resale = new Map<string, { costMsat: number; revenueMsat: number; sales: number }>();
  readonly #faults: Summary['faults'] = [];
  readonly #posted = new Map<string, PostedPrice[]>();
  readonly #negotiation = new NegotiationAggregator();
  readonly #negotiationOutcomes = new NegotiationOutcomes(this.#negotiation);
  #endedAt = 0;
  readonly #counts = { buyers: 0, sellers: 0, resellers: 0, subAgents: 0, routers: 0, tasks: 0 };

  readonly #listener: RecordListener | undefined;

  constructor(
    readonly info: RecorderInfo,
    sinks: RecorderSinks = {},
    listener?: RecordListener,
  ) {
    this.#listener = listener;
    this.#purchases = sinks.purchases ?? nullSink;
    this.#tasks = sinks.tasks ?? nullSink;
    this.#events = sinks.events ?? nullSink;
    this.#purchases.write(csvHeader());
    this.#tasks.write(taskCsvHeader());
    this.#rows = new RowAggregator(info.durationMs);
  }

  /** Counts an entity of the market (for the summary's `counts`). */
  entity(role: PurchaseRole | 'router'): void {
    if (role === 'buyer') this.#counts.buyers++;
    else if (role === 'seller') this.#counts.sellers++;
    else if (role === 'reseller') this.#counts.resellers++;
    else if (role === 'sub-agent') this.#counts.subAgents++;
    else this.#counts.routers++;
  }

  /** Records one purchase attempt; returns its sequence number. */
  purchase(row: NewPurchaseRow): number {
    const seq = this.#seq++;
    const { servedBy, ...fields } = row;
    // The cost of serving a delivered call to the seller that served it (a token acquired without a
    // call cost nothing to serve).
    const cost = delivered(row) ? (this.info.sellerCosts[servedBy ?? row.seller] ?? 0) : 0;
    const full: PurchaseRow = { seq, ...fields, sellerCostMsat: cost };
    if (this.#purchases !== nullSink) this.#purchases.write(csvLine(full));
    this.#listener?.({ kind: 'purchase', row: full });
    this.#rows.purchase(full);
    this.#negotiationOutcomes.purchase(full);
    if (endRole(row.role)) this.#payersTotal += row.paidMsat + row.feeMsat;
    this.#fees += row.feeMsat;
    this.#activity.purchase(full);
    if (row.role === 'reseller') this.#resaleAcc(row.buyer).costMsat += row.paidMsat + row.feeMsat;
    return seq;
  }

  /** Records a finished (or abandoned) task: its value counts only if done. */
  task(t: TaskRow): void {
    if (endRole(t.role)) this.#counts.tasks++;
    if (this.#tasks !== nullSink) this.#tasks.write(taskCsvLine(t));
    this.#rows.task(t);
    this.#negotiationOutcomes.taskEnded(t.buyer, t.taskId);
    if (this.recordsEvents) this.event(t.endedAtMs, 'task', { ...t });
  }

  /** Money a seller (or reseller) received for a sale; `reseller` marks resale revenue. */
  sale(seller: string, group: string, amountMsat: number, reseller = false): void {
    this.#listener?.({ kind: 'sale', seller, group, amountMsat, reseller });
    const s = this.#sellerAcc(group);
    s.revenueMsat += amountMsat;
    s.sales++;
    if (reseller) {
      const r = this.#resaleAcc(seller);
      r.revenueMsat += amountMsat;
      r.sales++;
    }
  }

  /** One buyer negotiation (summary.json's `negotiation`, by buyer group), paired with its task's purchases. */
  negotiation(at: NegotiationPlace, r: SellerNegotiation): void {
    this.#negotiationOutcomes.negotiation(at, r);
  }

  /** A hold invoice canceled by a seller (pay-on-success refunds). */
  refund(group: string): void {
    this.#sellerAcc(group).refunds++;
  }

  /** A fault injected into the run. */
  fault(atMs: number, kind: string, target: string, detail = ''): void {
    this.#faults.push({ atMs, kind, target, detail });
    this.event(atMs, 'fault', { kind, target, detail });
  }

  /** A repricing seller posted a unit price (its price trajectory in summary.json). */
  posted(atMs: number, seller: string, msat: number, move: string): void {
    let list = this.#posted.get(seller);
    if (!list) this.#posted.set(seller, (list = []));
    list.push({ atMs, msat, move });
  }

  /** True when events go somewhere (so callers can skip building them). */
  get recordsEvents(): boolean {
    return this.#events !== nullSink || this.#listener !== undefined;
  }

  /** Appends one line to events.jsonl. */
  event(atMs: number, type: string, data: Record<string, unknown>): void {
    // Lines nobody keeps are not built (sweeps and benches record no events).
    if (this.#events !== nullSink) this.#events.write(JSON.stringify({ t: atMs, type, ...data }) + '\n');
    this.#listener?.({ kind: 'event', t: atMs, type, data });
  }

  /** Marks when the last activity ended (ms of run time). */
  ended(atMs: number): void {
    this.#endedAt = Math.max(this.#endedAt, atMs);
  }

  /** What the paying agents' rows add up to, for the conservation check. */
  recordedSpend(): { payersMsat: number; feesMsat: number } {
    return { payersMsat: this.#payersTotal, feesMsat: this.#fees };
  }

  /** Builds summary.json's content and closes the sinks. */
  finish(conservation: Conservation): Summary {
    this.#purchases.close();
    this.#tasks.close();
    this.#events.close();
    this.#negotiationOutcomes.flush();
    const resale: Summary['resale'] = {};
    for (const [name, r] of sorted(this.#resale)) {
      const margin = r.revenueMsat - r.costMsat;
      resale[name] = { ...r, marginMsat: margin, marginRate: ratio(margin, r.costMsat) };
    }
    const { scenario, description, seed, backend, scenarioHash, durationMs } = this.info;
    return {
      scenario,
      description,
      seed,
      backend,
      ...(this.info.invoices && { invoices: this.info.invoices }),
      scenarioHash,
      durationMs,
      endedAtMs: this.#endedAt,
      counts: { ...this.#counts },
      ...this.#rows.result(),
      sellers: Object.fromEntries(sorted(this.#sellers)),
      resale,
      faults: this.#faults,
      warnings: [
        ...this.info.staticWarnings,
        ...this.#activity.warnings(Object.keys(this.info.sellerCosts), this.#faults),
      ],
      conservation,
      ...(this.#posted.size > 0 && { postedPrices: Object.fromEntries(sorted(this.#posted)) }),
      // Only runs that negotiated have the key: other scenarios' summaries stay as they were.
      ...(this.#negotiation.size ? { negotiation: this.#negotiation.result() } : {}),
    };
  }

  #sellerAcc(group: string): { revenueMsat: number; sales: number; refunds: number } {
    let s = this.#sellers.get(group);
    if (!s) this.#sellers.set(group, (s = { revenueMsat: 0, sales: 0, refunds: 0 }));
    return s;
  }

  #resaleAcc(name: string): { costMsat: number; revenueMsat: number; sales: number } {
    let r = this.#resale.get(name);
    if (!r) this.#resale.set(name, (r = { costMsat: 0, revenueMsat: 0, sales: 0 }));
    return r;
  }
}
