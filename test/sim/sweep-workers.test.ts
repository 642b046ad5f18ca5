/** A sweep run over worker threads: the same numbers as inline, its files, and a failing point reported. */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';

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
    }
    expect(threaded.result.points[1]!.paired!.attempts!.n).toBe(2);
    expect(JSON.stringify(threaded.result)).toBe(JSON.stringify(inline.result));
    const csv = readFileSync(join(outDir, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(5);
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
