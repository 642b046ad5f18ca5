import { describe, expect, it } from 'vitest';
import { summaryJson } from '../../sim/report/write-run.js';
import { rebuildAggregates } from '../../sim/metrics/rebuild.js';
import type { RowAggregates } from '../../sim/metrics/summary.js';
import { GOLDEN_CASES, jsonDiff, readGolden, runCase } from './golden-cases.js';

const ROW_KEYS: (keyof RowAggregates)[] = [
  'purchases',
  'money',
  'latency',
  'prices',
  'welfare',
  'groups',
  'market',
  'successByAmount',
  'series',
];

describe.each(GOLDEN_CASES)('shipped scenario $scenario $tag, seed $seed', (c) => {
  // One run per case, started by the first test that needs it (cases run one after another, never interleaved).
  let started: ReturnType<typeof runCase> | undefined;
  const result = () => (started ??= runCase(c));

  it('gives exactly its golden summary.json (update with `npm run sim:golden`)', async () => {
    const { summary } = await result();
    const golden = readGolden(c);
    if (golden === undefined) throw new Error(`no golden file for ${c.scenario}: run \`npm run sim:golden\``);
    const text = summaryJson(summary);
    if (text !== golden) expect(jsonDiff(JSON.parse(golden), summary)).toEqual([]);
    expect(text).toBe(golden);
  }, 900_000);

  it('has purchases.csv and tasks.csv from which every row aggregate of summary.json is rebuilt', async () => {
    const { summary, purchases, tasks } = await result();
    const again = rebuildAggregates(purchases, tasks, summary.durationMs);
    for (const k of ROW_KEYS) expect(again[k], k).toEqual(summary[k]);
  }, 900_000);

  it('conserves money to the msat', async () => {
    const { summary } = await result();
    expect(summary.conservation.differenceMsat).toBe(0);
    expect(summary.conservation.recorded.spendDifferenceMsat).toBe(0);
    expect(summary.conservation.recorded.feeDifferenceMsat).toBe(0);
    expect(summary.conservation.holds).toBe(true);
  }, 900_000);
});
