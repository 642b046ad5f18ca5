/**
 * The benchmark harness. Every figure is measured in rounds, after one
 * untimed warm-up round, the rows interleaved within each round (the order
 * rotates, so no row always runs first or last; a full GC before each row
 * when the process has `gc`), and reported as min / median / max over the
 * rounds. Two rows whose [min, max] ranges overlap show no measurable
 * difference, and are reported that way, never as a gain. Results go to
 * bench-results/<bench>.json with the commit measured, from which
 * `npm run docs:tables` writes the tables in the docs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkout } from './git.js';
import { isOverloaded } from './load.js';
import { compareRows, spread, type Row, type Table } from './stats.js';
import { num } from './tables.js';

export { compareRows, spread, type Comparison, type Row, type Table } from './stats.js';

/** The repository the bench runs from. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Where bench JSON lives (committed; the docs tables are built from it). */
export const RESULTS_DIR = join(ROOT, 'bench-results');

/** One timed run of a function. */
export interface Measurement {
  name: string;
  ops: number;
  ms: number;
  opsPerSec: number;
}

/** Where results of synchronous cases go, so the engine cannot drop the work as unused. */
const sink: { last: unknown } = { last: undefined };

/** Calls `fn(i)`: its promise, to await, or undefined once a synchronous result is in the sink. */
function call(fn: (i: number) => unknown, i: number): PromiseLike<unknown> | undefined {
  const r = fn(i);
  if (typeof (r as { then?: unknown } | null)?.then === 'function') return r as PromiseLike<unknown>;
  sink.last = r;
  return undefined;
}

/**
 * Runs `fn` repeatedly for at least `minMs`, after `warmup` calls. A call
 * that returns a promise is awaited; a synchronous result is kept in a sink
 * and not awaited, so a cheap synchronous case is not timed together with a
 * microtask turn per call.
 */
export async function measure(
  name: string,
  fn: (i: number) => unknown,
  { minMs = 1000, warmup = 50, batch = 1 }: { minMs?: number; warmup?: number; batch?: number } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) {
    const p = call(fn, i);
    if (p) await p;
  }
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let j = 0; j < batch; j++) {
      const p = call(fn, ops++);
      if (p) await p;
    }
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
  /** Warm-up calls before the untimed warm-up round (default 20). */
  warmup?: number;
  /** Length of the untimed warm-up round (default: the rounds' `minMs`); longer for code the JIT takes seconds to optimize. */
  warmupMs?: number;
}

/** How long and how often to measure. */
export interface RoundsOptions {
  rounds: number;
  /** Time per row per round. */
  minMs: number;
}

/**
 * Measures every case once per round, the order rotated each round; returns
 * ops/s samples per case. An untimed warm-up round (each case for its
 * `warmupMs`, by default the rounds' `minMs`) comes first. Before each
 * measurement a full garbage collection runs when the process has `gc`
 * (`--expose-gc`, as `npm run bench` starts benches), so a row does not pay
 * for the garbage of the row before it.
 */
export async function interleave(cases: Case[], { rounds, minMs }: RoundsOptions): Promise<Row[]> {
  for (const c of cases) {
    globalThis.gc?.();
    await measure(c.name, c.run, { minMs: c.warmupMs ?? minMs, warmup: c.warmup ?? 20, batch: c.batch ?? 1 });
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length]!;
      globalThis.gc?.();
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

/**
 * Prints every table and writes bench-results/<bench>.json, adding the
 * machine (with `overloaded` when other work used more than half its CPUs
 * before the bench started: see load.ts; the load at the end counts the
 * bench's own processes and is recorded, not judged), the commit measured
 * and whether the tree was modified, and the date.
 */
export function writeResults(results: BenchResults, startLoad: number): void {
  for (const t of results.tables) printTable(t);
  for (const n of results.notes ?? []) console.log(n);
  const cpuCount = cpus().length;
  const loadavg1m = { start: round2(startLoad), end: round2(loadavg()[0]!) };
  const overloaded = isOverloaded(startLoad, cpuCount);
  const out = {
    ...results,
    machine: {
      cpus: cpuCount,
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadavg1m,
      overloaded,
    },
    ...checkout(ROOT),
    date: new Date().toISOString(),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${results.bench}.json`);
  writeFileSync(path, JSON.stringify(out, null, 2) + '\n');
  if (overloaded)
    console.warn(
      `\nload average ${loadavg1m.start} before measuring, above half the ${cpuCount} CPUs: other work competed, the JSON is marked overloaded`,
    );
  if (!out.commit) console.warn('\nnot a git checkout: the JSON records no commit');
  console.log(`\nwrote ${path}`);
}

export { settledLoad } from './load.js';

const round2 = (v: number) => Math.round(v * 100) / 100;
