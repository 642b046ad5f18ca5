/**
 * One row of the sweep-merge bench (sweep-merge.bench.ts says what it measures
 * and why): a sweep of POINTS × SEEDS runs of one scenario, fed with copies of
 * real runs, in this process, its live heap sampled between steps; its last
 * line of output is its RowResult.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { loadScenarioText } from '../../sim/scenario/load.js';
import { instanceNames } from '../../sim/scenario/node-names.js';
import type { Scenario } from '../../sim/scenario/schema.js';
import type { Summary } from '../../sim/metrics/summary.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MAX_RUNS, MAX_SEEDS, readScenarioSource } from '../../sim/sweep/plan.js';
import { runSweep, type SweepTransport } from '../../sim/sweep/runner.js';
import { sweepConsoleTable } from '../../sim/sweep/report.js';
import type { SweepReply } from '../../sim/sweep/protocol.js';

export const SEEDS = Number(process.env.SWEEP_BENCH_SEEDS ?? MAX_SEEDS);
export const POINTS = Number(process.env.SWEEP_BENCH_POINTS ?? MAX_RUNS / MAX_SEEDS);
export const DIR = process.env.SWEEP_BENCH_DIR ?? tmpdir();

export type Finished = Extract<SweepReply, { ok: true }>;

/** What one row's process measured, in bytes. */
export interface RowResult {
  runs: number;
  heapBefore: number;
  heapCollected: number;
  heapPeakWriting: number;
  /** Where the peak of the live heap was sampled. */
  peakAt: string;
  rssBefore: number;
  rssPeak: number;
  heapLimit: number;
  sweepJsonBytes: number;
  sweepCsvBytes: number;
  seconds: number;
  consoleTableLines: number;
}

/** Live heap: heapUsed right after a full GC. */
function liveHeap(): number {
  globalThis.gc!();
  return process.memoryUsage().heapUsed;
}

/** Peak RSS of this process so far, in bytes (resourceUsage reports kB). */
const maxRss = () => process.resourceUsage().maxRSS * 1024;

/**
 * Samples the live heap at every file the sweep writes other than a run's summary.json (the sweep
 * imports writeFileSync from node:fs; syncBuiltinESMExports makes its binding this wrapper), and
 * records the size of each such file.
 */
function probeWrites(): { peak: Peak; bytes: Map<string, number> } {
  const write = fs.writeFileSync;
  const peak: Peak = { bytes: 0, at: '' };
  const bytes = new Map<string, number>();
  fs.writeFileSync = ((path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, ...rest) => {
    const name = basename(String(path));
    if (name !== 'summary.json') {
      sample(peak, `the write of ${name}`);
      bytes.set(name, typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength);
    }
    write(path, data, ...rest);
  }) as typeof fs.writeFileSync;
  syncBuiltinESMExports();
  return { peak, bytes };
}

/** The most live heap sampled, and where. */
interface Peak {
  bytes: number;
  at: string;
}

function sample(peak: Peak, at: string): void {
  const bytes = liveHeap();
  if (bytes > peak.bytes) Object.assign(peak, { bytes, at });
}

/** The payees a run of `s` may list in market.sellers: every seller's and reseller's instance. */
function payees(s: Scenario): string[] {
  return [...s.sellers, ...s.resellers].flatMap((g) => instanceNames(g.name, g.count));
}

/**
 * `count` of `pool`, picked by a generator seeded with `id`, in the order a summary lists them:
 * a job's own set of sellers, as real runs list different ones.
 */
function pick(pool: readonly string[], count: number, id: number): string[] {
  const names = [...pool];
  let x = id;
  for (let i = 0; i < count; i++) {
    // mulberry32
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const j = i + (((t ^ (t >>> 14)) >>> 0) % (names.length - i));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names.slice(0, count).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The summary job `id` reports, as a worker thread's message delivers it (a structured clone):
 * real run `id % n` with its market.sellers renamed to the job's own set of payees, as many as it
 * lists. The renamed record is made without a prototype (a dictionary: no hidden class), so the
 * clone alone makes the objects the sweep sees, hidden classes included, as a thread's message would.
 */
function replies(real: readonly Finished[], pool: readonly string[]): (id: number) => Summary {
  return (id) => {
    const t = real[id % real.length]!.summary;
    const listed = Object.values(t.market.sellers);
    const sellers = Object.create(null) as Summary['market']['sellers'];
    pick(pool, listed.length, id).forEach((name, i) => (sellers[name] = listed[i]!));
    return structuredClone({ ...t, market: { ...t.market, sellers } });
  };
}

/** One row: a sweep of POINTS × SEEDS runs of `scenario` from the real runs in `file`, in this process. */
export async function rowChild(scenario: string, file: string): Promise<void> {
  const real = JSON.parse(fs.readFileSync(file, 'utf8')) as Finished[];
  const source = readScenarioSource(scenario);
  const loaded = loadScenarioText(source.text, { checks: scenarioChecks }, source.file);
  const axes = [
    { path: 'durationSec', values: Array.from({ length: POINTS }, (_, i) => loaded.durationSec + i) },
  ];
  // Each point's runs report one scenario hash, a different one per point, as a real grid's do.
  const hashes = axes[0]!.values.map(
    (_, p) => `${real[0]!.pointHash.slice(0, 56)}${String(p).padStart(8, '0')}`,
  );
  const summaryOf = replies(real, payees(loaded));
  const outDir = fs.mkdtempSync(join(DIR, `sweep-merge-bench-${scenario}-`));
  const writes = probeWrites();
  const started = performance.now();
  const heapBefore = liveHeap();
  const rssBefore = maxRss();
  let heapCollected = 0;
  const transport: SweepTransport = async (jobs, onDone) => {
    jobs.forEach((job, i) => {
      const point = Math.floor(job.id / SEEDS);
      const summary = summaryOf(job.id);
      onDone({ id: job.id, ok: true, summary, pointHash: hashes[point]!, wallMs: 0 }, i + 1);
    });
    heapCollected = liveHeap();
  };
  try {
    const { result, failures } = await runSweep({
      scenario,
      source,
      loaded,
      axes,
      seeds: SEEDS,
      workers: 0,
      outDir,
      transport,
    });
    if (failures.length || result.runs.length !== POINTS * SEEDS)
      throw new Error(
        `${scenario}: expected ${POINTS * SEEDS} merged runs, got ${result.runs.length} and ${failures.length} failures`,
      );
    const table = sweepConsoleTable(result);
    sample(writes.peak, 'the console table');
    const out: RowResult = {
      runs: result.runs.length,
      heapBefore,
      heapCollected,
      heapPeakWriting: writes.peak.bytes,
      peakAt: writes.peak.at,
      rssBefore,
      rssPeak: maxRss(),
      heapLimit: getHeapStatistics().heap_size_limit,
      sweepJsonBytes: writes.bytes.get('sweep.json') ?? 0,
      sweepCsvBytes: writes.bytes.get('sweep.csv') ?? 0,
      seconds: (performance.now() - started) / 1000,
      consoleTableLines: table.split('\n').length,
    };
    console.log(JSON.stringify(out));
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
