import { Histogram, type Percentiles } from './histogram.js';
import { RunningStats, ratio, round } from './stats.js';
import { csvHeader, csvLine } from './csv.js';
import { nullSink, type TextSink } from './sink.js';
import { STEPS, type PurchaseRole, type PurchaseRow, type Step, type TaskRow } from './rows.js';
import type { Conservation } from './conservation.js';
import type { GroupStats, Summary } from './summary.js';

/** Run facts the recorder stamps into the summary. */
export interface RecorderInfo {
  scenario: string;
  description: string;
  seed: string | number;
  backend: 'embedded' | 'regtest';
  durationMs: number;
}

export interface RecorderSinks {
  purchases?: TextSink;
  events?: TextSink;
}

/** What a listener sees as the run is recorded: the same facts that go to the files, as they happen. */
export type RecordEvent =
  | { kind: 'purchase'; row: PurchaseRow }
  | { kind: 'sale'; seller: string; group: string; amountMsat: number; reseller: boolean }
  | { kind: 'event'; t: number; type: string; data: Record<string, unknown> };

export type RecordListener = (e: RecordEvent) => void;

const MAX_SERIES_POINTS = 120;

class GroupAcc {
  purchases = 0;
  successes = 0;
  spent = 0;
  fees = 0;
  tasks = 0;
  done = 0;
  welfare = 0;
  readonly latency = new Histogram();
  constructor(readonly role: PurchaseRole) {}
}

/**
 * Folds purchase rows, tasks and seller events into bounded aggregates while
 * streaming the rows themselves to purchases.csv and events.jsonl. Memory
 * does not grow with the number of purchases.
 */
export class Recorder {
  readonly #purchases: TextSink;
  readonly #events: TextSink;
  #seq = 0;
  readonly #outcomes = new Map<string, number>();
  #successes = 0;
  #reused = 0;
  #spent = 0;
  #fees = 0;
  #payersTotal = 0;
  readonly #total = new Histogram();
  readonly #steps = new Map<Step, Histogram>(STEPS.map((s) => [s, new Histogram()]));
  readonly #prices = new Map<string, RunningStats>();
  readonly #groups = new Map<string, GroupAcc>();
  readonly #sellers = new Map<string, { revenueMsat: number; sales: number; refunds: number }>();
  readonly #resale = new Map<string, { costMsat: number; revenueMsat: number; sales: number }>();
  readonly #faults: Summary['faults'] = [];
  readonly #bucketMs: number;
  readonly #series: { purchases: number; successes: number; spent: number; price: RunningStats }[] = [];
  #tasks = 0;
  readonly #stops = new Map<string, number>();
  #done = 0;
  #value = 0;
  #cost = 0;
  #endedAt = 0;
  readonly #counts = { buyers: 0, sellers: 0, resellers: 0, subAgents: 0, routers: 0 };

  readonly #listener: RecordListener | undefined;

  constructor(
    readonly info: RecorderInfo,
    sinks: RecorderSinks = {},
    listener?: RecordListener,
  ) {
    this.#listener = listener;
    this.#purchases = sinks.purchases ?? nullSink;
    this.#events = sinks.events ?? nullSink;
    this.#purchases.write(csvHeader());
    this.#bucketMs = Math.max(1000, Math.ceil(info.durationMs / MAX_SERIES_POINTS / 1000) * 1000);
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
  purchase(row: Omit<PurchaseRow, 'seq'>): number {
    const seq = this.#seq++;
    const full: PurchaseRow = { seq, ...row };
    this.#purchases.write(csvLine(full));
    this.#listener?.({ kind: 'purchase', row: full });
    this.#outcomes.set(row.outcome, (this.#outcomes.get(row.outcome) ?? 0) + 1);
    const ok = row.outcome === 'success';
    if (ok) this.#successes++;
    if (ok && row.tokenReused) this.#reused++;
    const paying = row.role === 'buyer' || row.role === 'sub-agent';
    this.#spent += row.paidMsat;
    this.#fees += row.feeMsat;
    if (paying) this.#payersTotal += row.paidMsat + row.feeMsat;
    this.#total.record(row.totalMs);
    // Discover and decide are task-level steps, recorded once per step by `taskStep`.
    this.#steps.get('quote')!.record(row.quoteMs);
    this.#steps.get('pay')!.record(row.payMs);
    this.#steps.get('consume')!.record(row.consumeMs);
    if (row.paidMsat > 0) {
      let s = this.#prices.get(row.capability);
      if (!s) this.#prices.set(row.capability, (s = new RunningStats()));
      s.add(row.paidMsat);
    }
    const g = this.#group(row.group, row.role);
    g.purchases++;
    if (ok) g.successes++;
    g.spent += row.paidMsat;
    g.fees += row.feeMsat;
    g.latency.record(row.totalMs);
    if (row.role === 'reseller') this.#resaleAcc(row.buyer).costMsat += row.paidMsat + row.feeMsat;
    const b = this.#bucket(row.atMs);
    b.purchases++;
    if (ok) b.successes++;
    b.spent += row.paidMsat;
    if (row.paidMsat > 0) b.price.add(row.paidMsat);
    return seq;
  }

  /** Records one task-level step (discover, decide) of an agent's graph run. */
  taskStep(step: 'discover' | 'decide', durationMs: number): void {
    this.#steps.get(step)!.record(durationMs);
  }

  /** Records a finished (or abandoned) task: its value counts only if done. */
  task(t: TaskRow): void {
    const value = t.earnedMsat;
    const cost = t.spentMsat + t.feesMsat;
    // Welfare counts end tasks only: an intermediary's purchases are costs inside the value it sells.
    if (t.role === 'buyer' || t.role === 'sub-agent') {
      this.#tasks++;
      this.#stops.set(t.stopReason, (this.#stops.get(t.stopReason) ?? 0) + 1);
      if (t.done) this.#done++;
      this.#value += value;
      this.#cost += cost;
    }
    const g = this.#group(t.group, t.role);
    g.tasks++;
    if (t.done) g.done++;
    g.welfare += value - cost;
    this.event(t.endedAtMs, 'task', { ...t });
  }

  /** Money a seller (or reseller) received for a sale; `reseller` marks resale revenue. */
  sale(seller: string, group: string, amountMsat: number, reseller = false): void {
    this.#listener?.({ kind: 'sale', seller, group, amountMsat, reseller });
    const s = this.#sellers.get(group) ?? { revenueMsat: 0, sales: 0, refunds: 0 };
    s.revenueMsat += amountMsat;
    s.sales++;
    this.#sellers.set(group, s);
    if (reseller) {
      const r = this.#resaleAcc(seller);
      r.revenueMsat += amountMsat;
      r.sales++;
    }
  }

  /** A hold invoice canceled by a seller (pay-on-success refunds). */
  refund(group: string): void {
    const s = this.#sellers.get(group) ?? { revenueMsat: 0, sales: 0, refunds: 0 };
    s.refunds++;
    this.#sellers.set(group, s);
  }

  /** A fault injected into the run. */
  fault(atMs: number, kind: string, target: string, detail = ''): void {
    this.#faults.push({ atMs, kind, target, detail });
    this.event(atMs, 'fault', { kind, target, detail });
  }

  /** True when events go somewhere (so callers can skip building them). */
  get recordsEvents(): boolean {
    return this.#events !== nullSink || this.#listener !== undefined;
  }

  /** Appends one line to events.jsonl. */
  event(atMs: number, type: string, data: Record<string, unknown>): void {
    this.#events.write(JSON.stringify({ t: atMs, type, ...data }) + '\n');
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
    this.#events.close();
    const total = this.#seq;
    const byOutcome = Object.fromEntries([...this.#outcomes].sort(([a], [b]) => (a < b ? -1 : 1)));
    const groups: Record<string, GroupStats> = {};
    for (const [name, g] of sorted(this.#groups)) {
      const lat = g.latency.summary();
      groups[name] = {
        role: g.role,
        purchases: g.purchases,
        successes: g.successes,
        successRate: ratio(g.successes, g.purchases),
        spentMsat: g.spent,
        feesMsat: g.fees,
        tasks: g.tasks,
        done: g.done,
        welfareMsat: g.welfare,
        welfarePerTaskMsat: ratio(g.welfare, g.tasks),
        latencyP50: lat.p50,
        latencyP95: lat.p95,
      };
    }
    const prices: Summary['prices'] = {};
    for (const [cap, s] of sorted(this.#prices)) {
      prices[cap] = {
        n: s.n,
        meanMsat: round(s.mean, 3),
        sdMsat: round(s.sd, 3),
        cv: round(s.cv),
        minMsat: s.min,
        maxMsat: s.max,
      };
    }
    const resale: Summary['resale'] = {};
    for (const [name, r] of sorted(this.#resale)) {
      const margin = r.revenueMsat - r.costMsat;
      resale[name] = { ...r, marginMsat: margin, marginRate: ratio(margin, r.costMsat) };
    }
    const steps = Object.fromEntries(
      STEPS.map((s) => [s, roundPct(this.#steps.get(s)!.summary())]),
    ) as Summary['latency']['steps'];
    return {
      scenario: this.info.scenario,
      description: this.info.description,
      seed: this.info.seed,
      backend: this.info.backend,
      durationMs: this.info.durationMs,
      endedAtMs: this.#endedAt,
      counts: { ...this.#counts, tasks: this.#tasks },
      purchases: {
        total,
        byOutcome,
        successRate: ratio(this.#successes, total),
        tokenReuseRate: ratio(this.#reused, this.#successes),
      },
      money: {
        spentMsat: this.#spent,
        feesMsat: this.#fees,
        revenueMsat: [...this.#sellers.values()].reduce((a, s) => a + s.revenueMsat, 0),
        sales: [...this.#sellers.values()].reduce((a, s) => a + s.sales, 0),
        meanPaidMsat: ratio(this.#spent, this.#successes - this.#reused),
        feeRate: ratio(this.#fees, this.#spent),
      },
      latency: {
        total: roundPct(this.#total.summary()),
        steps,
        cdf: this.#total.cdf().map((p) => ({ value: p.value, fraction: round(p.fraction) })),
      },
      prices,
      welfare: {
        tasks: this.#tasks,
        done: this.#done,
        valueMsat: this.#value,
        costMsat: this.#cost,
        welfareMsat: this.#value - this.#cost,
        perTaskMsat: ratio(this.#value - this.#cost, this.#tasks),
        byStopReason: Object.fromEntries(sorted(this.#stops)),
      },
      groups,
      sellers: Object.fromEntries(sorted(this.#sellers)),
      resale,
      series: {
        bucketMs: this.#bucketMs,
        points: this.#series.map((b, i) => ({
          t: i * this.#bucketMs,
          purchases: b.purchases,
          successes: b.successes,
          spentMsat: b.spent,
          meanPriceMsat: round(b.price.n ? b.price.mean : 0, 3),
        })),
      },
      faults: this.#faults,
      conservation,
    };
  }

  #group(name: string, role: PurchaseRole): GroupAcc {
    let g = this.#groups.get(name);
    if (!g) this.#groups.set(name, (g = new GroupAcc(role)));
    return g;
  }

  #resaleAcc(name: string): { costMsat: number; revenueMsat: number; sales: number } {
    let r = this.#resale.get(name);
    if (!r) this.#resale.set(name, (r = { costMsat: 0, revenueMsat: 0, sales: 0 }));
    return r;
  }

  #bucket(atMs: number) {
    const i = Math.max(0, Math.floor(atMs / this.#bucketMs));
    while (this.#series.length <= i)
      this.#series.push({ purchases: 0, successes: 0, spent: 0, price: new RunningStats() });
    return this.#series[i]!;
  }
}

function sorted<V>(m: Map<string, V>): [string, V][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function roundPct(p: Percentiles): Percentiles {
  return { ...p, mean: round(p.mean, 3) };
}
