/**
 * The benchmark harness. Every figure is measured in rounds, the rows
 * interleaved within each round (the order rotates, so no row always runs
 * first or last), and reported as min / median / max over the rounds. Two
 * rows whose [min, max] ranges overlap show no measurable difference, and are
 * reported that way, never as a gain. Results go to bench-results/<bench>.json,
 * from which `npm run docs:tables` writes the tables in the docs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRows, spread, type Row, type Table } from './stats.js';
import { num } from './tables.js';

export { compareRows, spread, type Comparison, type Row, type Table } from './stats.js';

/** Where bench JSON lives (committed; the docs tables are built from it). */
export const RESULTS_DIR = fileURLToPath(new URL('../../bench-results', import.meta.url));

/** One timed run of a function. */
export interface Measurement {
  name: string;
  ops: number;
  ms: number;
  opsPerSec: number;
}

/** Runs `fn` repeatedly (sync or async) for at least `minMs`, after a warm-up. */
export async function measure(
  name: string,
  fn: (i: number) => unknown,
  { minMs = 1000, warmup = 50, batch = 1 }: { minMs?: number; warmup?: number; batch?: number } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn(i);
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let j = 0; j < batch; j++) await fn(ops++);
    elapsed = performance.now() - start;
  }
  return { name, ops, ms: elapsed, opsPerSec: (ops / elapsed) * 1000 };
}

/** A row to measure: `run` is called repeatedly; `perCall` counts operations one call does (a batch). */
export interface Case {
  name: string;
  run: (i: number) => unknown;
  /** Calls between clock reads (cheap cases). */
  batch?: number;
  /** Operations per call of `run` (e.g. a batch of 200 payments). */
  perCall?: number;
  /** Warm-up calls before the first round (default 20). */
  warmup?: number;
  /** Warm-up time before the first round, at least (default none): for code the JIT takes seconds to optimize. */
  warmupMs?: number;
}

/** How long and how often to measure. */
export interface RoundsOptions {
  rounds: number;
  /** Time per row per round. */
  minMs: number;
}

/** Measures every case once per round, the order rotated each round; returns ops/s samples per case. */
export async function interleave(cases: Case[], { rounds, minMs }: RoundsOptions): Promise<Row[]> {
  for (const c of cases)
    await measure(c.name, c.run, { minMs: c.warmupMs ?? 1, warmup: c.warmup ?? 20, batch: 1 });
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length]!;
      const m = await measure(c.name, c.run, { minMs, warmup: 0, batch: c.batch ?? 1 });
      samples.get(c.name)!.push(m.opsPerSec * (c.perCall ?? 1));
    }
  }
  return cases.map((c) => ({ name: c.name, samples: samples.get(c.name)! }));
}

/** Prints a table: min / median / max per row, and each row against the baseline with its verdict. */
export function printTable(t: Table): void {
  console.log(`\n## ${t.title}`);
  const base = t.baseline ? t.rows.find((r) => r.name === t.baseline) : undefined;
  console.table(
    t.rows.map((r) => {
      const s = spread(r.samples);
      const c = base && base !== r ? compareRows(r, base, t.higherIsBetter) : undefined;
      return {
        what: r.name,
        [`min ${t.unit}`]: num(s.min),
        median: num(s.median),
        max: num(s.max),
        ...(base
          ? {
              [`× ${base.name}`]: c
                ? `${c.ratio.median.toFixed(3)} (${c.ratio.min.toFixed(3)}–${c.ratio.max.toFixed(3)})`
                : '1',
              verdict: c?.verdict ?? '',
            }
          : {}),
      };
    }),
  );
  for (const [a, b] of t.compare ?? []) {
    const ra = t.rows.find((r) => r.name === a)!;
    const rb = t.rows.find((r) => r.name === b)!;
    const c = compareRows(ra, rb, t.higherIsBetter);
    console.log(
      `${a} vs ${b}: ×${c.ratio.median.toFixed(3)} (per round ${c.ratio.min.toFixed(3)}–${c.ratio.max.toFixed(3)}): ${c.verdict}`,
    );
  }
}

/** What a bench writes: its tables, how it was run, and free-form notes (counts, checks). */
export interface BenchResults {
  bench: string;
  command: string;
  settings: Record<string, string | number>;
  tables: Table[];
  notes?: string[];
}

/** Prints every table and writes bench-results/<bench>.json (machine and date added). */
export function writeResults(results: BenchResults, startLoad: number): void {
  for (const t of results.tables) printTable(t);
  for (const n of results.notes ?? []) console.log(n);
  const out = {
    ...results,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadavg1m: { start: round2(startLoad), end: round2(loadavg()[0]!) },
    },
    date: new Date().toISOString(),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${results.bench}.json`);
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
  console.log(`\nwrote ${path}`);
}

/** The 1-minute load average now (recorded at a bench's start). */
export function currentLoad(): number {
  return loadavg()[0]!;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
