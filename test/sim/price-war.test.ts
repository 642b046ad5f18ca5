import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { postedPriceTable } from '../../sim/report/tables.js';
import type { PostedPrice, Summary } from '../../sim/metrics/summary.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { GOLDEN_CASES, readGolden, runCase } from './golden-cases.js';
import { tmp } from './figure-script.js';

/**
 * price-war: two rivals (cost 1000 msat) undercut each other's listed price
 * by 250 msat every 10 s, in turn, and jump back to 4000 msat when an
 * undercut would go below cost: the Edgeworth cycle of Maskin and Tirole
 * (1988). Figures from the golden run (seed 1); golden.test.ts checks that a
 * fresh run gives exactly that file.
 */
const CASE = GOLDEN_CASES.find((c) => c.scenario === 'price-war')!;
const golden = JSON.parse(readGolden(CASE)!) as Summary;
const posted = golden.postedPrices!;

/** The seller's posted price at `t` ms (its last posting at or before t). */
function priceAt(list: readonly PostedPrice[], t: number): number {
  let p = list[0]!.msat;
  for (const x of list) if (x.atMs <= t) p = x.msat;
  return p;
}

type Posted = Record<string, PostedPrice[]>;

/** The market price (the lower posted price) averaged over time on [fromMs, toMs). */
function timeWeightedMarketPrice(fromMs: number, toMs: number, prices: Posted = posted): number {
  const changes = Object.values(prices).flatMap((l) => l.map((x) => x.atMs));
  const times = [...new Set([fromMs, ...changes.filter((t) => t > fromMs && t < toMs)])].sort(
    (a, b) => a - b,
  );
  let area = 0;
  times.forEach((t, i) => {
    area += Math.min(...Object.values(prices).map((l) => priceAt(l, t))) * ((times[i + 1] ?? toMs) - t);
  });
  return area / (toMs - fromMs);
}

/** One cycle, from the first relent (either rival's) to the next: its length and mean market price. */
function firstCycle(prices: Posted): { ms: number; meanMsat: number } {
  const relents = Object.values(prices)
    .flatMap((l) => l.filter((x) => x.move === 'relent').map((x) => x.atMs))
    .sort((a, b) => a - b);
  const [from, to] = [relents[0]!, relents[1]!];
  return { ms: to - from, meanMsat: timeWeightedMarketPrice(from, to, prices) };
}

describe('price-war: competitive repricing cycles (seed 1)', () => {
  it('each rival undercuts down to its cost, then relents to the ceiling, in turn every 65 s', () => {
    const relents = Object.fromEntries(
      Object.entries(posted).map(([s, l]) => [s, l.filter((x) => x.move === 'relent').map((x) => x.atMs)]),
    );
    expect(relents).toEqual({ 'rival-0': [65_000, 195_000], 'rival-1': [130_000, 260_000] });
    expect(posted['rival-0']!.slice(0, 9).map((x) => x.msat)).toEqual([
      4000, 3750, 3250, 2750, 2250, 1750, 1250, 4000, 3500,
    ]);
    const all = Object.values(posted).flatMap((l) => l.map((x) => x.msat));
    expect([Math.min(...all), Math.max(...all)]).toEqual([1000, 4000]);
  });

  it('the war cuts the price buyers pay from 4000 to 2414.875 msat on average', () => {
    expect(golden.prices['anomalies:read']!.meanMsat).toBe(2414.875);
    // The market price over the run, and over one full cycle: (2 × 1000 + 1250 + 1500 + … + 3750) / 13.
    expect(timeWeightedMarketPrice(0, golden.durationMs).toFixed(3)).toBe('2383.333');
    expect(timeWeightedMarketPrice(65_000, 130_000).toFixed(3)).toBe((29_500 / 13).toFixed(3));
    expect(golden.welfare.sellerProfitMsat).toBe(394_750);
    expect(golden.market.sellers).toEqual({
      'rival-0': { revenueMsat: 315_250, sales: 131, share: 0.467904 },
      'rival-1': { revenueMsat: 358_500, sales: 148, share: 0.532096 },
    });
  });

  it('the run summary (terminal and report.html) tabulates each rival’s posted prices', () => {
    expect(postedPriceTable(golden, posted).rows).toEqual([
      ['rival-0', '30', '1 sat', '2.596 sat', '4 sat', '2', '2.25 sat'],
      ['rival-1', '29', '1 sat', '2.6 sat', '4 sat', '2', '2.5 sat'],
    ]);
  });

  it('every 402 quote asks the price its seller had posted when the buyer asked', async () => {
    const { purchases } = await runCase(CASE);
    const rows = parsePurchasesCsv(purchases);
    const off = rows.filter(
      (r) => r.quotedMsat !== priceAt(posted[r.seller]!, r.steps.quote?.atMs ?? r.startMs),
    );
    expect(rows.length).toBe(279);
    expect(off).toEqual([]);
  }, 180_000);
});

/**
 * The step-size sweep, as `npm run sim -- sweep price-war` runs it: the scenario's grid
 * (sellers[0].pricing.stepMsat: 250, 500, 1000) over seeds 1–5. Run once, shared by the tests below.
 */
describe('price-war step size: the scenario sweep, seeds 1-5', () => {
  const outDir = join(tmp('price-war-sweep-'), 'sweep');
  let swept: ReturnType<typeof runSweep> | undefined;
  const sweep = () =>
    (swept ??= runSweep({
      scenario: 'price-war',
      loaded: loadScenario('price-war', { checks: scenarioChecks }),
      axes: [],
      seeds: 5,
      workers: 0,
      outDir,
    }));
  const postedOf = (point: number, seed: number): Posted =>
    (
      JSON.parse(
        readFileSync(join(outDir, 'runs', `point-${point}`, `seed-${seed}`, 'summary.json'), 'utf8'),
      ) as Summary
    ).postedPrices!;

  it('buyer surplus per task is 5,949 ± 90 msat at a 250 msat step, +234 [108, 360] at 500 and +567 [445, 689] at 1000 (paired); payment success, task completion and welfare do not move', async () => {
    const { result, failures } = await sweep();
    expect(failures).toEqual([]);
    expect(result.points.map((p) => p.label)).toEqual([
      'sellers[0].pricing.stepMsat=250',
      'sellers[0].pricing.stepMsat=500',
      'sellers[0].pricing.stepMsat=1000',
    ]);
    expect(result.points[0]!.metrics.buyerSurplusPerTaskMsat).toMatchObject({
      n: 5,
      mean: 5949.163736,
      halfWidth: 90.119063,
    });
    const [, step500, step1000] = result.points.map((p) => p.paired);
    expect(step500!.buyerSurplusPerTaskMsat).toMatchObject({
      n: 5,
      mean: 234.08875,
      low: 107.824253,
      high: 360.353246,
    });
    expect(step1000!.buyerSurplusPerTaskMsat).toMatchObject({
      n: 5,
      mean: 567.342363,
      low: 445.301147,
      high: 689.383578,
    });
    // Every task is worth more than the ceiling: the war only moves money between buyers and sellers.
    const still = { n: 5, mean: 0, low: 0, high: 0 };
    for (const paired of [step500!, step1000!]) {
      expect(paired.paymentSuccessRate).toMatchObject(still);
      expect(paired.taskCompletionRate).toMatchObject(still);
      expect(paired.welfareMsat).toMatchObject(still);
    }
    for (const p of result.points) expect(p.conservationHolds).toBe(true);
  }, 900_000);

  it('the posted path has 13-, 7- and 4-move cycles (65, 35 and 20 s) at steps 250, 500 and 1000, whose mean market price is 2269.2, 2071.4 and 1750 msat (198 and 519 below the 250 step) on every seed, as the docs work the model out', async () => {
    const { failures } = await sweep();
    expect(failures).toEqual([]);
    const cycles = [0, 1, 2].map((point) => [1, 2, 3, 4, 5].map((seed) => firstCycle(postedOf(point, seed))));
    expect(cycles).toEqual(
      [
        { ms: 65_000, meanMsat: (2 * 1000 + 11 * 2500) / 13 },
        { ms: 35_000, meanMsat: (2 * 1000 + 5 * 2500) / 7 },
        { ms: 20_000, meanMsat: (2 * 1000 + 2 * 2500) / 4 },
      ].map((c) => Array<typeof c>(5).fill(c)),
    );
    const [m250, m500, m1000] = cycles.map((c) => c[0]!.meanMsat);
    expect([m250, m500, m1000].map((m) => m!.toFixed(1))).toEqual(['2269.2', '2071.4', '1750.0']);
    expect([m250! - m500!, m250! - m1000!].map(Math.round)).toEqual([198, 519]);
  }, 900_000);
});
