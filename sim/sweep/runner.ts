import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import { summaryJson } from '../report/write-run.js';
import { expandGrid, type GridAxis } from './grid.js';
import { mergeRuns, sweepCsv, type SweepResult, type SweepRun } from './merge.js';
import { runPool } from './pool.js';
import type { SweepJob, SweepReply } from './protocol.js';
import { writeSweepReport } from './report.js';
import { checkSweep } from './plan.js';
import { checkOutDir, clearSweepOutputs } from './out-dir.js';

export interface SweepOptions {
  /** Scenario name or path (workers load it themselves). */
  scenario: string;
  /** The loaded scenario, for its default grid and name. */
  loaded: Scenario;
  axes: GridAxis[];
  seeds: number;
  workers: number;
  /** Extra overrides applied to every point (e.g. a shorter duration). */
  base?: Record<string, unknown>;
  outDir?: string;
  onProgress?: (finished: number, total: number, label: string) => void;
  /** Runs the jobs elsewhere (e.g. over a Redis queue); default: `runPool` over `workers` threads. */
  transport?: SweepTransport;
}

/** Runs a sweep's jobs and returns one reply per job, in job order, calling `onDone` as each finishes. */
export type SweepTransport = (
  jobs: readonly SweepJob[],
  onDone: (reply: SweepReply, finished: number) => void,
) => Promise<SweepReply[]>;

/** A failed run of a sweep, kept with its point and seed. */
export interface SweepFailure {
  point: string;
  seed: string | number;
  code: string;
  message: string;
}

/** The scenario's own grid (its `sweep.grid`), the axes of a sweep given no --grid. */
export function gridAxes(s: Scenario): GridAxis[] {
  return Object.entries(s.sweep?.grid ?? {}).map(([path, values]) => ({ path, values }));
}

/**
 * Runs every grid point with every seed over worker threads, merges the
 * summaries into one table with 95% t-intervals across seeds, and writes
 * sweep.json, sweep.csv, report.html and each run's summary.json, replacing a
 * previous sweep's outputs in `outDir` (out-dir.ts). Refuses a sweep over the
 * size limits or with a repeated or seed grid path (plan.ts) before running.
 */
export async function runSweep(
  o: SweepOptions,
): Promise<{ result: SweepResult; failures: SweepFailure[]; reportPath?: string }> {
  const axes = o.axes.length ? o.axes : gridAxes(o.loaded);
  checkSweep(axes, o.seeds, o.base);
  if (o.outDir) checkOutDir(o.outDir);
  const points = expandGrid(axes);
  const seeds = Array.from({ length: o.seeds }, (_, k) => k + 1);
  const jobs: SweepJob[] = [];
  for (const p of points)
    for (const seed of seeds)
      jobs.push({ id: jobs.length, scenario: o.scenario, overrides: { ...o.base, ...p.overrides }, seed });
  const transport: SweepTransport = o.transport ?? ((js, onDone) => runPool(js, o.workers, onDone));
  const replies = await transport(jobs, (reply, finished) => {
    const job = jobs[reply.id]!;
    o.onProgress?.(
      finished,
      jobs.length,
      `${points[Math.floor(job.id / seeds.length)]!.label} seed ${job.seed}`,
    );
  });
  const runs: SweepRun[] = [];
  const failures: SweepFailure[] = [];
  replies.forEach((reply, i) => {
    const job = jobs[i]!;
    const point = Math.floor(i / seeds.length);
    if (reply.ok) runs.push({ point, seed: job.seed, summary: reply.summary });
    else
      failures.push({
        point: points[point]!.label,
        seed: job.seed,
        code: reply.code,
        message: reply.message,
      });
  });
  const result = mergeRuns(o.loaded.name, axes, points, runs);
  let reportPath: string | undefined;
  if (o.outDir) {
    clearSweepOutputs(o.outDir);
    mkdirSync(o.outDir, { recursive: true });
    writeFileSync(join(o.outDir, 'sweep.json'), JSON.stringify({ ...result, failures }, null, 2) + '\n');
    writeFileSync(join(o.outDir, 'sweep.csv'), sweepCsv(result));
    for (const r of runs) {
      const dir = join(o.outDir, 'runs', `point-${r.point}`, `seed-${r.seed}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'summary.json'), summaryJson(r.summary));
    }
    reportPath = await writeSweepReport(o.outDir, result);
  }
  return { result, failures, ...(reportPath && { reportPath }) };
}
