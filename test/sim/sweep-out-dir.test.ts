/** Re-using --out for a sweep replaces the previous sweep's outputs and never touches other files. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runSweep } from '../../sim/sweep/runner.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';

const base = { durationSec: 5, drainSec: 5 };
const loaded = loadScenario('quickstart', { overrides: base, checks: scenarioChecks });

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const sweep = (outDir: string, grid: string, seeds: number) =>
  runSweep({ scenario: 'quickstart', loaded, axes: parseGridArgs([grid]), seeds, workers: 0, base, outDir });

describe('sweep --out that a previous sweep wrote', () => {
  it('removes the previous outputs the new sweep does not write (its extra point, seeds and paired charts), keeping other files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-out-'));
    await sweep(out, 'buyers[0].count=3,2', 2);
    writeFileSync(join(out, 'notes.md'), 'mine');
    mkdirSync(join(out, 'charts'), { recursive: true });
    writeFileSync(join(out, 'charts', 'my-figure.png'), 'mine');
    expect(tree(out)).toContain('runs/point-1/seed-2/summary.json');
    expect(tree(out)).toContain('charts/sweep-paired-welfareMsat.png');
    await sweep(out, 'buyers[0].count=3', 1);
    expect(tree(out)).toEqual([
      'charts/my-figure.png',
      'charts/sweep-buyerSurplusPerTaskMsat.png',
      'charts/sweep-latencyP95.png',
      'charts/sweep-paymentSuccessRate.png',
      'charts/sweep-taskCompletionRate.png',
      'charts/sweep-welfareMsat.png',
      'notes.md',
      'report.html',
      'runs/point-0/seed-1/summary.json',
      'sweep.csv',
      'sweep.json',
    ]);
  }, 120_000);

  it('refuses a non-empty --out that holds no sweep.json, before running, and leaves it as it was', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-out-'));
    writeFileSync(join(out, 'summary.json'), '{}');
    await expect(sweep(out, 'buyers[0].count=3', 1)).rejects.toMatchObject({
      code: 'out_dir_in_use',
      message: `--out ${out} holds files no sweep wrote (summary.json); give a new or empty directory, or a previous sweep's, whose outputs the new sweep replaces`,
    });
    expect(tree(out)).toEqual(['summary.json']);
    expect(existsSync(join(out, 'sweep.json'))).toBe(false);
  });

  it('runs into an --out holding only runs/point-*/seed-*/summary.json of a sweep stopped before sweep.json, replacing them', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-out-'));
    mkdirSync(join(out, 'runs', 'point-4', 'seed-7'), { recursive: true });
    writeFileSync(join(out, 'runs', 'point-4', 'seed-7', 'summary.json'), '{}');
    await sweep(out, 'buyers[0].count=3', 1);
    expect(tree(out).filter((f) => !f.startsWith('charts/'))).toEqual([
      'report.html',
      'runs/point-0/seed-1/summary.json',
      'sweep.csv',
      'sweep.json',
    ]);
  }, 120_000);

  it('refuses an --out holding a stopped sweep’s runs and a file no sweep wrote among them, leaving it as it was', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sweep-out-'));
    mkdirSync(join(out, 'runs', 'point-0', 'seed-1'), { recursive: true });
    writeFileSync(join(out, 'runs', 'point-0', 'seed-1', 'summary.json'), '{}');
    writeFileSync(join(out, 'runs', 'point-0', 'notes.md'), 'mine');
    await expect(sweep(out, 'buyers[0].count=3', 1)).rejects.toMatchObject({
      code: 'out_dir_in_use',
      message: `--out ${out} holds files no sweep wrote (runs); give a new or empty directory, or a previous sweep's, whose outputs the new sweep replaces`,
    });
    expect(tree(out)).toEqual(['runs/point-0/notes.md', 'runs/point-0/seed-1/summary.json']);
  });
});
