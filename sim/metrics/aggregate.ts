import { Histogram, type Percentiles } from './histogram.js';
import { RunningStats, ratio, round, sorted } from './stats.js';
import { Funnel } from './funnel.js';
import { WelfareAcc } from './welfare.js';
import {
  STEPS,
  attempted,
  endRole,
  paymentAttempted,
  paymentSucceeded,
  type PurchaseRole,
  type PurchaseRow,
  type TaskRow,
} from './rows.js';
import type { RowAggregates, GroupStats, SellerShare, AmountBin } from './summary.js';
import { SeriesAcc } from './series.js';
import { pricePerCall } from './call-price.js';

class GroupAcc {
  readonly funnel = new Funnel();
  spent = 0;
  fees = 0;
  surplus = 0;
  tasks = 0;
  readonly latency = new Histogram();
  constructor(readonly role: PurchaseRole) {}
}

/**
 * Every aggregate of summary.json that comes from purchase and task rows,
 * as a fold over those rows in O(1) memory per run (bounded by sellers,
 * groups and time buckets, not by purchases). The recorder feeds it live;
 * feeding it the rows read back from purchases.csv and tasks.csv gives the
 * same result, which is what makes the CSVs a complete record.
 */
export class RowAggregator {
  readonly #funnel = new Funnel();
  readonly #welfare = new WelfareAcc();
  readonly #outcomes = new Map<string, number>();
  readonly #failures = new Map<string, number>();
  #spent = 0;
  #fees = 0;
  readonly #attempts = new Histogram();
  readonly #steps = new Map(STEPS.map((s) => [s, new Histogram()]));
  /** Prices per call (`pricePerCall`) by capability, and their sum and count over all capabilities. */
  readonly #prices = new Map<string, RunningStats>();
  #perCallSum = 0;
  #perCallN = 0;
  readonly #groups = new Map<string, GroupAcc>();
  readonly #sellers = new Map<string, { revenueMsat: number; sales: number }>();
  readonly #amounts = new Map<number, { attempts: number; succeeded: number }>();
  readonly #series: SeriesAcc;

  constructor(durationMs: number) {
    this.#series = new SeriesAcc(durationMs);
  }

  purchase(r: PurchaseRow): void {
    this.#funnel.add(r);
    this.#welfare.purchase(r);
    bump(this.#outcomes, r.outcome);
    if (r.failure) bump(this.#failures, r.failure);
    this.#spent += r.paidMsat;
    this.#fees += r.feeMsat;
    if (attempted(r)) this.#attempts.record(r.endMs - r.startMs);
    for (const s of STEPS) {
      const span = r.steps[s];
      if (span) this.#steps.get(s)!.record(span.ms);
    }
    this.#price(r);
    if (r.paidMsat > 0) {
      const s = this.#sellers.get(r.seller) ?? { revenueMsat: 0, sales: 0 };
      s.revenueMsat += r.paidMsat;
      s.sales++;
      this.#sellers.set(r.seller, s);
    }
    this.#amount(r);
    const g = this.#group(r.group, r.role);
    g.funnel.add(r);
    g.spent += r.paidMsat;
    g.fees += r.feeMsat;
    if (attempted(r)) g.latency.record(r.endMs - r.startMs);
    this.#series.add(r);
  }

  /**
   * The row's payment in its bin of the invoice amount: tried (`paymentAttempted`), gone through
   * (`paymentSucceeded`: a recovered payment goes through in the bin its attempt tried it in, tried there once).
   */
  #amount(r: PurchaseRow): void {
    const tried = paymentAttempted(r);
    const ok = paymentSucceeded(r);
    if ((!tried && !ok) || r.quotedMsat <= 0) return;
    const bin = 2 ** Math.floor(Math.log2(r.quotedMsat));
    const a = this.#amounts.get(bin) ?? { attempts: 0, succeeded: 0 };
    if (tried) a.attempts++;
    if (ok) a.succeeded++;
    this.#amounts.set(bin, a);
  }

  #price(r: PurchaseRow): void {
    const msat = pricePerCall(r);
    if (msat === null) return;
    let p = this.#prices.get(r.capability);
    if (!p) this.#prices.set(r.capability, (p = new RunningStats('a price per call')));
    p.add(msat);
    this.#perCallSum += msat;
    this.#perCallN++;
  }

  task(t: TaskRow): void {
    // The run's task completion counts end tasks only; a group's funnel counts the group's own tasks.
    if (endRole(t.role)) this.#funnel.task(t);
    this.#welfare.task(t);
    const g = this.#group(t.group, t.role);
    g.funnel.task(t);
    g.tasks++;
    g.surplus += t.earnedMsat - t.spentMsat - t.feesMsat;
  }

  result(): RowAggregates {
    const funnel = this.#funnel.result();
    const freshPaid = funnel.paymentsSucceeded;
    return {
      purchases: {
        total: funnel.attempts,
        byOutcome: Object.fromEntries(sorted(this.#outcomes)),
        byFailure: Object.fromEntries(sorted(this.#failures)),
        ...funnel,
      },
      money: {
        spentMsat: this.#spent,
        feesMsat: this.#fees,
        sales: freshPaid,
        meanPaidMsat: ratio(this.#perCallSum, this.#perCallN),
        feeRate: ratio(this.#fees, this.#spent),
      },
      latency: {
        attempts: roundPct(this.#attempts.summary()),
        steps: Object.fromEntries(
          STEPS.map((s) => [s, roundPct(this.#steps.get(s)!.summary())]),
        ) as RowAggregates['latency']['steps'],
        cdf: cdfOf(this.#attempts),
      },
      prices: Object.fromEntries(
        sorted(this.#prices).map(([cap, s]) => [
          cap,
          {
            n: s.n,
            meanMsat: round(s.mean, 3),
            // One price has no spread: sd and CV are undefined (null), not a dispersion of 0.
            sdMsat: s.n > 1 ? round(s.sd, 3) : null,
            cv: s.n > 1 ? round(s.cv) : null,
            minMsat: round(s.min, 3),
            maxMsat: round(s.max, 3),
          },
        ]),
      ),
      welfare: this.#welfare.result(),
      groups: Object.fromEntries(sorted(this.#groups).map(([n, g]) => [n, groupStats(g)])),
      market: this.#market(),
      successByAmount: [...this.#amounts]
        .sort(([a], [b]) => a - b)
        .map(([bin, a]): AmountBin => ({
          minMsat: bin,
          maxMsat: bin * 2 - 1,
          attempts: a.attempts,
          succeeded: a.succeeded,
          // A bin exists once a payment was tried in it (a recovered one goes through in its attempt's bin,
          // the same invoice): its rate is never over nothing.
          rate: round(a.succeeded / a.attempts),
        })),
      series: this.#series.result(),
    };
  }

  #market(): RowAggregates['market'] {
    const total = [...this.#sellers.values()].reduce((a, s) => a + s.revenueMsat, 0);
    const sellers: Record<string, SellerShare> = {};
    let hhi = 0;
    // A payee is listed once it was paid, so `total` is above 0 whenever there is one.
    for (const [name, s] of sorted(this.#sellers)) {
      const share = s.revenueMsat / total;
      hhi += share * share;
      sellers[name] = { revenueMsat: s.revenueMsat, sales: s.sales, share: round(share) };
    }
    // Concentration is undefined without revenue (no market to share).
    return { revenueMsat: total, hhi: total > 0 ? round(hhi) : null, sellers };
  }

  #group(name: string, role: PurchaseRole): GroupAcc {
    let g = this.#groups.get(name);
    if (!g) this.#groups.set(name, (g = new GroupAcc(role)));
    return g;
  }
}

function groupStats(g: GroupAcc): GroupStats {
  const f = g.funnel.result();
  const lat = g.latency.summary();
  return {
    role: g.role,
    ...f,
    spentMsat: g.spent,
    feesMsat: g.fees,
    surplusMsat: g.surplus,
    surplusPerTaskMsat: ratio(g.surplus, g.tasks),
    latencyP50: lat.p50,
    latencyP95: lat.p95,
    latencyCdf: cdfOf(g.latency),
  };
}

function cdfOf(h: Histogram): { value: number; fraction: number }[] {
  return h.cdf().map((p) => ({ value: p.value, fraction: round(p.fraction) }));
}

function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function roundPct(p: Percentiles): Percentiles {
  return { ...p, mean: p.mean === null ? null : round(p.mean, 3) };
}
