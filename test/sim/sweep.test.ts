import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { expandGrid, parseGridArgs } from '../../sim/sweep/grid.js';
import { mergeRuns } from '../../sim/sweep/merge.js';
import type { Summary } from '../../sim/metrics/summary.js';

describe('sweep grid', () => {
  it('expands axes into their cartesian product, last axis fastest', () => {
    const axes = parseGridArgs(['buyers[0].decider.name=cheapest,random', 'durationSec=10,20']);
    expect(expandGrid(axes).map((p) => p.label)).toEqual([
      'buyers[0].decider.name=cheapest, durationSec=10',
      'buyers[0].decider.name=cheapest, durationSec=20',
      'buyers[0].decider.name=random, durationSec=10',
      'buyers[0].decider.name=random, durationSec=20',
    ]);
  });

  it('keeps flow objects whole when splitting values', () => {
    const [axis] = parseGridArgs([
      'buyers[0].policy={name: allow_all},{name: max_per_request, params: {maxMsat: 5}}',
    ]);
    expect(axis!.values).toEqual([
      { name: 'allow_all' },
      { name: 'max_per_request', params: { maxMsat: 5 } },
    ]);
    expect(expandGrid([axis!]).map((p) => p.label)).toEqual([
      'buyers[0].policy=allow_all',
      'buyers[0].policy=max_per_request',
    ]);
  });
});

describe('sweep merge', () => {
  const fake = (welfare: number): Summary =>
    ({
      purchases: { successRate: 1, total: 10, tokenReuseRate: 0, byOutcome: {} },
      money: { spentMsat: 100, feesMsat: 1 },
      welfare: { welfareMsat: welfare, perTaskMsat: welfare / 10, done: 10 },
      latency: { total: { p50: 1, p95: 2, p99: 3 } },
      prices: {},
      groups: { b: { welfarePerTaskMsat: welfare / 10, successRate: 1, spentMsat: 100, feesMsat: 1 } },
      conservation: { holds: true },
    }) as unknown as Summary;

  it('computes a 95% t-interval across seeds for each point', () => {
    const points = [{ index: 0, label: 'a', overrides: {} }];
    const r = mergeRuns('x', [], points, [
      { point: 0, seed: 1, summary: fake(100) },
      { point: 0, seed: 2, summary: fake(120) },
      { point: 0, seed: 3, summary: fake(110) },
    ]);
    const w = r.points[0]!.metrics.welfareMsat!;
    expect(w.mean).toBe(110);
    expect(w.halfWidth).toBeCloseTo((4.303 * 10) / Math.sqrt(3), 3);
    expect(w.low).toBeLessThan(110);
    expect(r.points[0]!.groups.b!.welfarePerTaskMsat.mean).toBe(11);
  });
});

describe('runSweep over worker threads', () => {
  it('runs points × seeds in workers, gives the same numbers as inline, and writes the merged table', async () => {
    const base = { durationSec: 10, drainSec: 20 };
    const loaded = loadScenario('quickstart', { overrides: base, checks: scenarioChecks });
    const axes = parseGridArgs(['buyers[0].decider.name=cheapest,random']);
    const outDir = mkdtempSync(join(tmpdir(), 'sim-sweep-'));
    const progress: number[] = [];
    const threaded = await runSweep({
      scenario: 'quickstart',
      loaded,
      axes,
      seeds: 2,
      workers: 2,
      base,
      outDir,
      onProgress: (done) => progress.push(done),
    });
    const inline = await runSweep({ scenario: 'quickstart', loaded, axes, seeds: 2, workers: 0, base });
    expect(threaded.failures).toEqual([]);
    expect(progress).toEqual([1, 2, 3, 4]);
    expect(threaded.result.points).toHaveLength(2);
    for (const p of threaded.result.points) {
      expect(p.seeds).toEqual([1, 2]);
      expect(p.conservationHolds).toBe(true);
      const iv = p.metrics.purchases!;
      expect(iv.low).toBeLessThanOrEqual(iv.mean);
      expect(iv.high).toBeGreaterThanOrEqual(iv.mean);
    }
    expect(JSON.stringify(threaded.result)).toBe(JSON.stringify(inline.result));
    const csv = readFileSync(join(outDir, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(readFileSync(join(outDir, 'report.html'), 'utf8')).toContain('<svg');
  }, 120_000);

  it('reports a failing point with its code instead of crashing the sweep', async () => {
    const loaded = loadScenario('quickstart', { checks: scenarioChecks });
    const r = await runSweep({
      scenario: 'quickstart',
      loaded,
      axes: parseGridArgs(['buyers[0].budgetMsat=-1']),
      seeds: 1,
      workers: 0,
    });
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]!.code).toBe('invalid_scenario');
    expect(r.failures[0]!.message).toMatch(/buyers\[0\]\.budgetMsat/);
  });
});
