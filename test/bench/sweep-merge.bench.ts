/**
 * The memory a sweep needs to merge its runs, what MAX_RUNS (sim/sweep/plan.ts)
 * protects: for price-war and success-vs-amount, a sweep of
 * `SWEEP_BENCH_POINTS` grid points × `SWEEP_BENCH_SEEDS` seeds (default
 * MAX_RUNS / MAX_SEEDS × MAX_SEEDS: 100 × 1,000) through the sweep's own
 * code, `runSweep` and then the console table as `sim sweep` prints it,
 * every output written (each run's summary.json, sweep.json, sweep.csv,
 * report.html and its charts) to a directory under the OS temp directory
 * (or `SWEEP_BENCH_DIR`), removed after the row.
 *
 * Running that many markets is far too slow for a bench, so only the runs are
 * stood in for: `SWEEP_BENCH_REAL_RUNS` real runs of each scenario (default 4,
 * seeds 1 to 4, each through the sweep's own run path, `runJob`, before any
 * row) are handed to the sweep by a transport of the bench's, in job order,
 * each job's reply one of them under that job's id, with a scenario hash of
 * its own per grid point, delivered as a worker thread's message is (`sim
 * sweep` runs on threads by default): a structured clone, so no object or
 * boxed number of one run's summary is shared with another's, nor with a
 * digest kept. Its market.sellers, the one record of the summary the merge
 * keeps with keys that vary from run to run, lists a set of the scenario's
 * sellers of its own, as many as the real run listed, picked by the job's
 * id (real runs list different sellers, and each set of keys a clone
 * meets is a hidden class the heap keeps for as long as a digest has it:
 * repeating the real runs' few sets would hide that cost). The grid is one
 * axis, `durationSec`, with as many values as points: only the sweep's
 * labels and overrides see it, no run is made with it.
 *
 * Each row is one such sweep in a process of its own (started as `npm run sim`
 * starts the CLI, --max-semi-space-size=64, plus --expose-gc). It measures the
 * live heap (heapUsed right after a full GC): before the sweep; once the
 * transport has handed over every run (the sweep then holds the jobs, each
 * run's digest and the grid); and at each write of a file other than a run's
 * summary.json and after the console table is made, of which the most is
 * reported (the merged table, the copy written and its JSON text are live
 * then). Per run: the growth from before the sweep to each of the latter two,
 * divided by the runs. Samples are taken between steps, so a step's own
 * garbage and transient buffers (inside JSON.stringify, say) are not in them:
 * the process's peak RSS, the kernel's high-water mark (runtime, code,
 * young generation and the charts' rendering included), is reported beside
 * them. The rows are interleaved over `SWEEP_BENCH_ROUNDS` rounds (default 3;
 * a row writes as many summary.json files as runs, and takes minutes: the
 * notes give each row's time).
 *
 *   npm run bench -- sweep-merge
 *   SWEEP_BENCH_POINTS=10 SWEEP_BENCH_SEEDS=100 SWEEP_BENCH_ROUNDS=2 npm run bench -- sweep-merge
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readScenarioSource } from '../../sim/sweep/plan.js';
import { runJob } from '../../sim/sweep/job.js';
import { settledLoad, writeResults, type Row } from './harness.js';
import { DIR, POINTS, SEEDS, rowChild, type Finished, type RowResult } from './sweep-merge-row.js';

const SCENARIOS = ['price-war', 'success-vs-amount'];
const ROUNDS = Number(process.env.SWEEP_BENCH_ROUNDS ?? 3);
const REAL_RUNS = Number(process.env.SWEEP_BENCH_REAL_RUNS ?? 4);

/** The real runs of `scenario` (seeds 1 to REAL_RUNS, through the sweep's run path), written to a file for the rows. */
async function realRuns(scenario: string, dir: string): Promise<{ file: string; sellers: number[] }> {
  const { file, text } = readScenarioSource(scenario);
  const replies: Finished[] = [];
  for (let seed = 1; seed <= REAL_RUNS; seed++) {
    const r = await runJob({ id: seed - 1, scenario: file, text, overrides: {}, seed });
    if (!r.ok) throw new Error(`${scenario} seed ${seed}: ${r.code}: ${r.message}`);
    replies.push(r);
  }
  const path = join(dir, `${scenario}.json`);
  fs.writeFileSync(path, JSON.stringify(replies));
  return { file: path, sellers: replies.map((r) => Object.keys(r.summary.market.sellers).length) };
}

/** Runs one row in a process of its own; its last line of output is its RowResult. */
function spawnRow(scenario: string, file: string): RowResult {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--expose-gc',
      '--max-semi-space-size=64',
      fileURLToPath(import.meta.url),
      '--row',
      scenario,
      file,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{'))
    throw new Error(`the ${scenario} row failed (exit ${r.status})`);
  return JSON.parse(line) as RowResult;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const rowArg = process.argv.indexOf('--row');
  if (rowArg >= 0) {
    const [scenario, file] = process.argv.slice(rowArg + 1);
    return rowChild(scenario!, file!);
  }
  const load = await settledLoad();
  const dir = fs.mkdtempSync(join(DIR, 'sweep-merge-bench-real-'));
  try {
    const real = new Map<string, { file: string; sellers: number[] }>();
    for (const s of SCENARIOS) {
      console.log(`${s}: ${REAL_RUNS} real runs …`);
      real.set(s, await realRuns(s, dir));
    }
    const results = new Map<string, RowResult[]>(SCENARIOS.map((s) => [s, []]));
    for (let r = 0; r < ROUNDS; r++)
      for (let k = 0; k < SCENARIOS.length; k++) {
        const s = SCENARIOS[(k + r) % SCENARIOS.length]!;
        console.log(`round ${r + 1}/${ROUNDS}: ${s}, ${(POINTS * SEEDS).toLocaleString('en-US')} runs …`);
        results.get(s)!.push(spawnRow(s, real.get(s)!.file));
      }
    report(results, new Map([...real].map(([s, r]) => [s, r.sellers])), load);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The tables and notes from the rows. */
function report(results: Map<string, RowResult[]>, sellers: Map<string, number[]>, load: number): void {
  const row = (name: string, rs: RowResult[], f: (x: RowResult) => number): Row => ({
    name,
    samples: rs.map(f),
  });
  const perRun: Row[] = [];
  const heap: Row[] = [];
  const notes = SCENARIOS.map(
    (s) => `${s}: the real runs (seeds 1 to ${REAL_RUNS}) list ${sellers.get(s)!.join(', ')} sellers each.`,
  );
  for (const [n, rs] of results) {
    perRun.push(row(n, rs, (x) => (x.heapCollected - x.heapBefore) / x.runs / KiB));
    heap.push(
      row(`${n}: live heap before the sweep`, rs, (x) => x.heapBefore / MiB),
      row(`${n}: live heap, every run collected`, rs, (x) => x.heapCollected / MiB),
      row(`${n}: peak live heap, writing the outputs`, rs, (x) => x.heapPeakWriting / MiB),
      row(`${n}: peak RSS of the process`, rs, (x) => x.rssPeak / MiB),
    );
    const x = rs[0]!;
    notes.push(
      `${n}: the live heap peaked at ${[...new Set(rs.map((y) => y.peakAt))].join(' or ')}; sweep.json is ` +
        `${mib(x.sweepJsonBytes)}, sweep.csv ${mib(x.sweepCsvBytes)}; the process's heap limit is ${mib(x.heapLimit)} ` +
        `and its peak RSS before the sweep ${mib(x.rssBefore)}; a row took ${rs.map((y) => y.seconds.toFixed(0)).join(', ')} s.`,
    );
  }
  const runs = (POINTS * SEEDS).toLocaleString('en-US');
  const sweep = `a sweep of ${POINTS} points × ${SEEDS} seeds (${runs} runs), every output written`;
  writeResults(
    {
      bench: 'sweep-merge',
      command: 'npm run bench -- sweep-merge',
      settings: {
        rounds: ROUNDS,
        'grid points': POINTS,
        'seeds per point': SEEDS,
        'real runs per scenario': REAL_RUNS,
        'files in': process.env.SWEEP_BENCH_DIR ?? 'the OS temp directory',
      },
      tables: [
        {
          id: 'per-run',
          title:
            `Heap a sweep holds per run (KiB), ${sweep}: its live heap (heapUsed after a full GC) once every run ` +
            "is collected (the jobs, each run's digest, the grid), less the live heap before the sweep, divided " +
            'by the runs',
          unit: 'KiB',
          higherIsBetter: false,
          rows: perRun,
        },
        {
          id: 'heap',
          title:
            `Memory of ${sweep} (MiB): live heap (heapUsed after a full GC) before the sweep, once every run is ` +
            'collected, and the most sampled at the writes of sweep.json, sweep.csv, report.html and the charts ' +
            "and after the console table; and the process's peak RSS",
          unit: 'MiB',
          higherIsBetter: false,
          rows: heap,
        },
      ],
      notes,
    },
    load,
  );
}

await main();
