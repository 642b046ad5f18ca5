/**
 * Prices are per call: summary.json's `prices`, `money.meanPaidMsat` and `series.points[].meanPriceMsat`, and the
 * sweep's `priceCv`, take a bundle's or a slice's price over the calls it bought, and leave out resellers'
 * restocks (a cost of the slices they resell) and time passes (no count of calls), so a 20-call restock
 * does not sit beside single calls as one price.
 */
import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario, loadScenarioText } from '../../sim/scenario/load.js';
import { SWEEP_METRICS } from '../../sim/sweep/metrics.js';
import { priceTable } from '../../sim/report/tables.js';
import { runCharts } from '../../sim/report/charts.js';
import { readPricePoints } from '../../sim/report/write-run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const priceCv = SWEEP_METRICS.find((m) => m.key === 'priceCv')!;

/** A buyer group whose tasks (2 calls each, every 20 s) find only the sellers of `category`. */
const buyers = (category: string) => `
  - name: ${category}-buyer
    policy: { name: allow_all }
    budgetMsat: 200000
    arrivals: { process: fixed, everySec: 20 }
    tasks:
      - capability: anomalies:read
        category: ${category}
        calls: 2
        value: { dist: fixed, msat: 30000 }`;

/**
 * One seller per tier at 2,000 msat a call: single calls, 6-call bundles (9,600 msat: 1,600 a call), a
 * 600 s pass (20,000 msat); a buyer group for each, and a broker slicing the bundle into 2-call slices
 * (4,000 msat: 2,000 a call).
 */
const TIERS = `
name: tiers
seed: 1
durationSec: 60
drainSec: 30
network:
  topology: { kind: ring, routers: 2 }
  hopLatency: { meanMs: 10, sdMs: 0 }
sellers:
  - { name: one, archetype: data-feed, category: single, price: { kind: fixed, msat: 2000 }, tiers: [{ kind: single }] }
  - { name: six, archetype: data-feed, category: bundle, price: { kind: fixed, msat: 2000 }, tiers: [{ kind: bundle, calls: 6 }] }
  - { name: hour, archetype: data-feed, category: pass, price: { kind: fixed, msat: 2000 }, tiers: [{ kind: pass, durationSec: 600 }] }
buyers:${buyers('single')}${buyers('bundle')}${buyers('pass')}
resellers:
  - name: broker
    capability: anomalies:read
    markupPpm: 250000
    sliceCalls: 2
    balanceMsat: 200000
    subAgents:
      count: 1
      budgetMsat: 50000
      arrivals: { process: fixed, everySec: 30 }
      value: { dist: fixed, msat: 10000 }
`;

async function run(scenario: Parameters<typeof runScenario>[0]) {
  const purchases = new MemorySink();
  const tasks = new MemorySink();
  const { summary } = await runScenario(scenario, { seed: 1, sinks: { purchases, tasks } });
  return { summary, purchases: purchases.text(), tasks: tasks.text() };
}

/** The buckets' mean prices per call that are not null, with their start. */
const seriesPrices = (s: Summary) =>
  s.series.points.flatMap((p) => (p.meanPriceMsat === null ? [] : [[p.t, p.meanPriceMsat]]));

describe('prices per call, seed 1', () => {
  const tiers = run(loadScenarioText(TIERS, { checks: scenarioChecks }));
  const resale = run(loadScenario('resale', { checks: scenarioChecks }));

  it('single calls at 2,000, a 6-call bundle at 9,600 and a 2-call slice at 4,000 are 6 prices of 1,600 to 2,000 a call; the restock and the 20,000 msat pass are left out', async () => {
    const { summary } = await tiers;
    // 1,600 once and 2,000 five times: mean 11,600 / 6, where every payment (8 of them, 51,200 msat) gave 6,400.
    expect(summary.prices).toEqual({
      'anomalies:read': {
        n: 6,
        meanMsat: 1933.333,
        sdMsat: 163.299,
        cv: 0.084465,
        minMsat: 1600,
        maxMsat: 2000,
      },
    });
    expect(summary.money).toMatchObject({ spentMsat: 51_200, sales: 8, meanPaidMsat: 1933.333333 });
    expect(priceCv.of(summary)).toBe(0.084465);
    // At 20 s: the bundle (1,600 a call) and two single calls; the broker's 9,600 msat restock is no price.
    expect(seriesPrices(summary)).toEqual([
      [20_000, 1866.667],
      [30_000, 2000],
      [40_000, 2000],
    ]);
  }, 120_000);

  it('the price scatter read from purchases.csv holds the same 6 prices per call as summary.json, restock and pass left out', async () => {
    const { purchases } = await tiers;
    const dir = mkdtempSync(join(tmpdir(), 'price-per-call-'));
    try {
      writeFileSync(join(dir, 'purchases.csv'), purchases);
      const points = readPricePoints(dir);
      expect(points.map((p) => [p.seller, p.paidMsat])).toEqual([
        ['six-0', 1600],
        ['one-0', 2000],
        ['one-0', 2000],
        ['broker-0', 2000],
        ['one-0', 2000],
        ['one-0', 2000],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('resale: 140 slices at 2,500 and 36 single calls at 3,000 give a CV of 0.078, the eight 40,000 msat restocks left out', async () => {
    const { summary } = await resale;
    // Every payment would give 184 prices, mean 4,228 msat, CV 1.809 and a maximum of 40,000.
    expect(summary.prices).toEqual({
      'anomalies:read': {
        n: 176,
        meanMsat: 2602.273,
        sdMsat: 202.26,
        cv: 0.077724,
        minMsat: 2500,
        maxMsat: 3000,
      },
    });
    expect(summary.money).toMatchObject({ spentMsat: 778_000, sales: 184, meanPaidMsat: 2602.272727 });
    expect(priceCv.of(summary)).toBe(0.077724);
    const series = seriesPrices(summary);
    expect(series.slice(0, 3)).toEqual([
      [0, 2600],
      [2000, 2625],
      [4000, 2666.667],
    ]);
    expect(Math.max(...series.map(([, m]) => m!))).toBe(3000);
  }, 120_000);

  it('labels the report table and price charts per call, and the spend chart as spend per bucket', async () => {
    const { summary } = await resale;
    expect(priceTable(summary)).toEqual({
      header: ['capability', 'purchases', 'mean per call', 'sd', 'dispersion (CV)', 'min', 'max'],
      rows: [['anomalies:read', '176', '2.602 sat', '0.202 sat', '0.078', '2.5 sat', '3 sat']],
    });
    const charts = runCharts(summary, [{ startMs: 0, seller: 'bulk-feed-0', paidMsat: 3000 }]);
    const titles = charts.flatMap((c) =>
      ['spend-over-time', 'price-over-time', 'prices-by-seller'].includes(c.id)
        ? [[c.title, (c.spec as { encoding: { y: { title: string } } }).encoding.y.title]]
        : [],
    );
    expect(titles).toEqual([
      ['Spend per 2 s', 'spent per 2 s (sat)'],
      ['Mean price paid per call over time', 'mean price paid per call (sat)'],
      ['Every price paid per call, by seller', 'paid per call (sat)'],
    ]);
  }, 120_000);
});
