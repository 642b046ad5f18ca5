import { describe, expect, it } from 'vitest';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { postedPriceTable } from '../../sim/report/tables.js';
import type { PostedPrice, Summary } from '../../sim/metrics/summary.js';
import { GOLDEN_CASES, readGolden, runCase } from './golden-cases.js';

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

/** The market price (the lower posted price) averaged over time on [fromMs, toMs). */
function timeWeightedMarketPrice(fromMs: number, toMs: number): number {
  const changes = Object.values(posted).flatMap((l) => l.map((x) => x.atMs));
  const times = [...new Set([fromMs, ...changes.filter((t) => t > fromMs && t < toMs)])].sort(
    (a, b) => a - b,
  );
  let area = 0;
  times.forEach((t, i) => {
    area += Math.min(...Object.values(posted).map((l) => priceAt(l, t))) * ((times[i + 1] ?? toMs) - t);
  });
  return area / (toMs - fromMs);
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
