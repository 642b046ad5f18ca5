/**
 * A rate, a per-task or per-sale mean, or a quantile with nothing to measure is null in
 * summary.json (never 0), n/a in the console and report tables, and left out of the charts.
 */
import { describe, expect, it } from 'vitest';
import { RowAggregator } from '../../sim/metrics/aggregate.js';
import { NegotiationAggregator } from '../../sim/metrics/negotiation.js';
import { ratio } from '../../sim/metrics/stats.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { summarySchema } from '../../sim/metrics/summary-schema.js';
import { summaryJson } from '../../sim/report/write-run.js';
import { consoleSummary } from '../../sim/report/console.js';
import { runCharts } from '../../sim/report/charts.js';
import { runReportHtml } from '../../sim/report/run-report-html.js';
import {
  funnelTable,
  groupTable,
  latencyTable,
  marketTable,
  negotiationTable,
  welfareTable,
} from '../../sim/report/tables.js';
import { runCase } from './golden-cases.js';

const NONE = { count: 0, mean: null, min: null, p50: null, p90: null, p95: null, p99: null, max: null };

/** One attempt refused at quote time (an invoice of 2,000 msat it would not pay), by group "g", with no task. */
function refusedAtQuote(): PurchaseRow {
  return {
    seq: 0,
    startMs: 0,
    endMs: 3,
    buyer: 'b',
    group: 'g',
    role: 'buyer',
    seller: 's',
    capability: 'c',
    taskId: 't',
    tierKind: '',
    stage: 'quote',
    outcome: 'invoice_refused',
    failure: '',
    refusal: '',
    reason: '',
    quotedMsat: 2000,
    paidMsat: 0,
    feeMsat: 0,
    sellerCostMsat: 0,
    hops: 0,
    requests: 1,
    tokenReused: false,
    steps: { quote: { atMs: 0, ms: 3 } },
  };
}

describe('ratio', () => {
  it('is null over a zero denominator and the rounded quotient otherwise', () => {
    expect([ratio(0, 0), ratio(5, 0), ratio(1, 3), ratio(0, 4)]).toEqual([null, null, 0.333333, 0]);
  });
});

describe('a run with one attempt, refused at quote time, and no task', () => {
  const a = new RowAggregator(60_000);
  a.purchase(refusedAtQuote());
  const rows = a.result();

  it('has its quote rejection rate (1 of 1) and null for every rate whose denominator is 0', () => {
    const p = rows.purchases;
    expect([p.attempts, p.quoteRejections, p.quoteRejectionRate]).toEqual([1, 1, 1]);
    expect([
      p.policyDenialRate,
      p.paymentSuccessRate,
      p.deliveryRate,
      p.tokenReuseRate,
      p.taskCompletionRate,
    ]).toEqual([null, null, null, null, null]);
    expect(rows.money).toEqual({ spentMsat: 0, feesMsat: 0, sales: 0, meanPaidMsat: null, feeRate: null });
    expect(rows.welfare.buyerSurplusPerTaskMsat).toBeNull();
    expect(rows.market).toEqual({ revenueMsat: 0, hhi: null, sellers: {} });
  });

  it('has null latency figures where there are no samples: the attempt latency and every step but quote', () => {
    expect(rows.latency.attempts).toEqual(NONE);
    expect(rows.latency.steps.quote).toEqual({
      count: 1,
      mean: 3,
      min: 3,
      p50: 3,
      p90: 3,
      p95: 3,
      p99: 3,
      max: 3,
    });
    expect(rows.latency.steps.pay).toEqual(NONE);
    expect(rows.groups.g).toMatchObject({ surplusPerTaskMsat: null, latencyP50: null, latencyP95: null });
  });

  it('has a time bucket with a null mean paid price and the seller’s mean quote of 2,000 msat', () => {
    expect(rows.series.points).toEqual([
      {
        t: 0,
        attempts: 1,
        delivered: 0,
        spentMsat: 0,
        meanPriceMsat: null,
        sellers: { s: { revenueMsat: 0, meanQuotedMsat: 2000 } },
      },
    ]);
  });

  const summary = { ...rows, negotiation: undefined } as unknown as Summary;

  it('prints n/a for each undefined figure in the funnel, welfare, latency, group and market tables', () => {
    expect(funnelTable(summary).rows.map((r) => r[1])).toEqual(['100.0%', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a']);
    expect(welfareTable(summary).rows.at(-1)).toEqual(['buyer surplus per task', 'n/a']);
    expect(latencyTable(summary).rows.slice(0, 3)).toEqual([
      ['attempted purchase', '0', 'n/a', 'n/a', 'n/a', 'n/a'],
      ['discover', '0', 'n/a', 'n/a', 'n/a', 'n/a'],
      ['quote', '1', '3 ms', '3 ms', '3 ms', '3 ms'],
    ]);
    expect(groupTable(summary).rows).toEqual([['g', 'buyer', '1', 'n/a', 'n/a', '0/0', 'n/a', 'n/a']]);
    expect(marketTable(summary).rows).toEqual([['concentration (HHI)', '', '', 'n/a']]);
  });
});

describe('negotiation figures with nothing to measure', () => {
  it('are null: failure rate and rounds without negotiations, savings rate without an agreement', () => {
    const n = new NegotiationAggregator();
    n.add('only-posted', { result: 'not_offered', rounds: 0, postedMsat: 5000 });
    n.add('no-deal', { result: 'no_agreement', rounds: 3, postedMsat: 5000 });
    const r = n.result();
    expect(r['only-posted']).toMatchObject({
      negotiations: 0,
      failureRate: null,
      meanRounds: null,
      savingsRate: null,
    });
    expect(r['no-deal']).toMatchObject({ negotiations: 1, failureRate: 1, meanRounds: 3, savingsRate: null });
    const table = negotiationTable({ negotiation: r } as Summary);
    expect(table.rows.map((row) => [row[3], row[4], row[5], row[8]])).toEqual([
      ['1 (100.0%)', '3.00', '0', '0 sat (n/a)'],
      ['0 (n/a)', 'n/a', '0', '0 sat (n/a)'],
    ]);
  });
});

describe('resale seed 1: the broker group restocks and makes no call of its own', () => {
  let started: ReturnType<typeof runCase> | undefined;
  const resale = async () =>
    (await (started ??= runCase({ scenario: 'resale', seed: 1, overrides: {} }))).summary;

  it('has null delivery, token reuse, task completion and surplus per task in summary.json (0 paid calls, 0 tasks)', async () => {
    const b = (await resale()).groups.broker!;
    expect([b.paidCalls, b.delivered, b.tasks]).toEqual([0, 0, 0]);
    expect([b.deliveryRate, b.tokenReuseRate, b.taskCompletionRate, b.surplusPerTaskMsat]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect([b.paymentSuccessRate, b.latencyP50]).toEqual([1, 58]);
  }, 120_000);

  it('prints the broker row with n/a for delivery and surplus per task, in the console and in report.html', async () => {
    const s = await resale();
    expect(consoleSummary(s).split('\n')).toContain(
      'broker              reseller         8  100.0%        n/a         0/0           n/a  58 ms',
    );
    expect(runReportHtml(s, [])).toContain(
      '<tr><td>broker</td><td>reseller</td><td>8</td><td>100.0%</td><td>n/a</td><td>0/0</td><td>n/a</td><td>58 ms</td></tr>',
    );
  }, 120_000);

  it('reads back through the summary schema with its nulls (sim report)', async () => {
    const s = await resale();
    expect(summarySchema.parse(JSON.parse(summaryJson(s)))).toEqual(s);
  }, 120_000);

  it('charts no bar for a step that never happened and no surplus bar for the broker', async () => {
    const s = await resale();
    const a = new RowAggregator(s.durationMs);
    a.purchase(refusedAtQuote());
    const charts = runCharts({ ...s, latency: a.result().latency });
    const values = (id: string) =>
      (charts.find((c) => c.id === id)!.spec as { data: { values: Record<string, unknown>[] } }).data.values;
    expect(values('step-latency')).toEqual([
      { step: 'quote', stat: 'p50', ms: 3 },
      { step: 'quote', stat: 'p95', ms: 3 },
      { step: 'quote', stat: 'p99', ms: 3 },
    ]);
    expect(values('group-surplus').map((v) => v.group)).toEqual(['broker sub-agents', 'retail']);
  }, 120_000);
});
