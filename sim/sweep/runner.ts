import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario/schema.js';
import { expandGrid, type GridAxis } from './grid.js';
import { mergeDigests, sweepCsv, type SweepResult } from './merge.js';
import { streamPool } from './pool.js';
import type { SweepJob, SweepReply } from './protocol.js';
import { writeSweepReport } from './report.js';
import { checkSweep, readScenarioSource, type ScenarioSource, type SweepSources } from './plan.js';
import { codeNow, sweepProvenance } from './provenance.js';
import { checkOutDir } from './out-dir.js';
import { RunCollector, type SweepFailure } from './collect.js';
import { SweepStopped } from './stopped-sweep.js';
import { checkCodeUnchanged, codeVersion, sourceVersion } from './code-version.js';
import { lockOutDir } from '../../infra/out-dir-lock.js';

export interface SweepOptions {
  /** Scenario name or path; read once (unless `source` is given), and every job carries its YAML. */
  scenario: string;
  /** The scenario file and the YAML every run loads (default: `scenario` read once, now). */
  source?: ScenarioSource;
  /** Where the seeds and grid came from, for errors (default: the flags). */
  from?: SweepSources;
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
  /**
   * Stops the sweep (Ctrl-C; the default transport only): no run starts after it, the runs in
   * progress are dropped, and `runSweep` throws `SweepStopped` unless every run had finished.
   */
  signal?: AbortSignal;
  /**
   * The source fingerprint (tests): taken before the first run, and, with the default
   * transport, again after the last (default: the source on disk, `sourceVersion`; over a
   * transport, this process's `codeVersion`, the version its jobs carry).
   */
  version?: () => string;
}

type SweepOutcome = { result: SweepResult; failures: SweepFailure[]; reportPath?: string };

/**
 * Runs a sweep's jobs, calling `onDone` once per job as it finishes, in any order; what it
 * resolves to is not read (a transport need not keep the replies, and should not: a summary is
 * tens of kB).
 */
export type SweepTransport = (
  jobs: readonly SweepJob[],
  onDone: (reply: SweepReply, finished: number) => void,
) => Promise<unknown>;

export type { SweepFailure };

/** The scenario's own grid (its `sweep.grid`), the axes of a sweep given no --grid. */
export function gridAxes(s: Scenario): GridAxis[] {
  return Object.entries(s.sweep?.grid ?? {}).map(([path, values]) => ({ path, values }));
}

/**
 * Runs every grid point with every seed over worker threads, writing each
 * run's summary.json as it finishes and keeping only its digest (collect.ts),
 * merges the digests into one table with 95% t-intervals across seeds, and
 * writes sweep.json, sweep.csv and report.html, replacing a previous sweep's
 * outputs in `outDir` (out-dir.ts), with what ran (provenance.ts). A point whose runs ran
 * different scenarios fails the sweep (collect.ts). Refuses a sweep over the size limits or
 * with a repeated or seed grid path or value (plan.ts) before running, and an `outDir` another
 * sweep or run is writing into (infra/out-dir-lock.ts: held until the sweep ends, however it
 * ends). Stopped by `signal` before its last run finished, it writes nothing more and throws
 * `SweepStopped` (stopped-sweep.ts). A local sweep whose source changed while it ran fails
 * with `code_changed`, merging nothing (code-version.ts).
 */
export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const axes = o.axes.length ? o.axes : gridAxes(o.loaded);
  // Read once: every run loads this text, so editing the file mid-sweep changes no later run.
  const source = o.source ?? readScenarioSource(o.scenario);
  checkSweep(axes, o.seeds, o.base, o.from ?? (o.axes.length ? {} : { grid: 'file', file: source.file }));
  if (!o.outDir) return sweep(o, axes, source);
  checkOutDir(o.outDir);
  const lock = await lockOutDir(o.outDir, 'sweep');
  try {
    return await sweep(o, axes, source);
  } finally {
    await lock.release();
  }
}

async function sweep(
  o: SweepOptions,
  axes: GridAxis[],
  { file, text }: ScenarioSource,
): Promise<SweepOutcome> {
  const points = expandGrid(axes);
  const seeds = Array.from({ length: o.seeds }, (_, k) => k + 1);
  const jobs: SweepJob[] = [];
  for (const p of points)
    for (const seed of seeds)
      jobs.push({ id: jobs.length, scenario: file, text, overrides: { ...o.base, ...p.overrides }, seed });
  const labels = points.map((p) => p.label);
  const collector = new RunCollector(jobs, labels, seeds.length, o.outDir);
  const local = o.transport === undefined;
  // The code the runs run: fingerprinted before the first thread loads it.
  const version = o.version ?? (local ? sourceVersion : codeVersion);
  const code = codeNow(version);
  const transport: SweepTransport =
    o.transport ?? ((js, onDone) => streamPool(js, o.workers, onDone, undefined, o.signal));
  let finished = 0;
  await transport(jobs, (reply, n) => {
    collector.add(reply);
    finished = n;
    const job = jobs[reply.id]!;
    o.onProgress?.(n, jobs.length, `${labels[Math.floor(job.id / seeds.length)]} seed ${job.seed}`);
  });
  const stopped = o.signal?.aborted === true && finished < jobs.length;
  if (local && !stopped) checkCodeUnchanged(code.source, version());
  collector.check();
  if (stopped) {
    const failed = collector.failures().length;
    throw new SweepStopped(finished - failed, failed, jobs.length, o.outDir);
  }
  const failures = collector.failures();
  const result = mergeDigests(o.loaded.name, axes, points, collector.runs());
  if (!o.outDir) return { result, failures };
  const dir = collector.out();
  // The outputs add what ran to the merged table: each point's scenario hash, and the provenance.
  const hashes = collector.pointHashes();
  const written: SweepResult = {
    ...result,
    points: result.points.map((p) => ({ ...p, scenarioHash: hashes[p.index] ?? null })),
    provenance: sweepProvenance(o.base, code),
  };
  writeFileSync(join(dir, 'sweep.json'), JSON.stringify({ ...written, failures }, null, 2) + '\n');
  writeFileSync(join(dir, 'sweep.csv'), sweepCsv(result));
  return { result, failures, reportPath: await writeSweepReport(dir, written) };
}
