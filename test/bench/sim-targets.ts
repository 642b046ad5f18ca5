/**
 * The sim bench's tables and the scale targets, computed from what the child
 * processes measured: purchases/s per scale and variant, paid purchases/s
 * against the crypto floor of the same run, agent tasks/s against bare
 * LangGraph invokes/s of a graph of the same node count, time per call as
 * calls grow, time to a million calls, peak RSS.
 */
import { CRYPTO_OPS, type CryptoOp } from './crypto-count.js';
import { spread, type Row, type Table } from './harness.js';
import { EVERY_BUY, SIGNED, VARIANTS, nodesPerTask, type RunFigures } from './sim-market.js';

/** ops/s of each crypto operation (by its counter name) and of a bare LangGraph invoke ('bare LangGraph invoke'). */
export type FloorTiming = Record<string, number>;

/** One market run: what it measured, and which floor timing came just before it (`floors[floor]`; the next came just after). */
export interface RunResult {
  figures: RunFigures;
  counts: Record<CryptoOp, number>;
  floor: number;
}

/** One scale: the floor timings in the order taken (before the first run, then after each run), and per variant name one run per round. */
export interface ScaleResult {
  target: number;
  floors: FloorTiming[];
  runs: Record<string, RunResult[]>;
}

/** The LangGraph floor's name in a `FloorTiming`. */
export const BARE = 'bare LangGraph invoke';

const BUNDLE_NODES = nodesPerTask('bundles');
const LANGGRAPH = VARIANTS[2].name;
const MILLION = 1_000_000;
const fmt = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (xs: number[]) => spread(xs).median;

/** ms of crypto in one run: each counted operation at the cost timed just before the run. */
function cryptoMs(r: ScaleResult, run: RunResult): number {
  const before = r.floors[run.floor]!;
  return CRYPTO_OPS.reduce((ms, op) => ms + (run.counts[op] * 1000) / before[op]!, 0);
}

/** Every timing of one floor, at every scale. */
const floorSamples = (results: ScaleResult[], name: string) =>
  results.flatMap((r) => r.floors.map((f) => f[name]!));

function rowsOf(
  results: ScaleResult[],
  sample: (r: ScaleResult, run: RunResult) => number | number[],
  only: (variant: string) => boolean = () => true,
) {
  return results.flatMap((r) =>
    Object.entries(r.runs)
      .filter(([variant]) => only(variant))
      .map(([variant, runs]) => ({
        name: `${fmt(r.target)} calls, ${variant}`,
        samples: runs.flatMap((run) => sample(r, run)),
      })),
  );
}

/** ms of a run after its market was built: the calls themselves, without setup's one-off cost. */
const callsMs = (f: RunFigures) => f.runMs - f.setupMs;

/** µs of wall time per call after market setup, of the signed direct run(s) of a scale. */
function usPerCall(r: ScaleResult): number {
  return median(r.runs[SIGNED]!.map((x) => (callsMs(x.figures) * 1000) / x.figures.purchases));
}

/** "<scale> calls, <variant>" of every run whose money conservation audit failed. */
export function brokenRuns(results: ScaleResult[]): string[] {
  return results.flatMap((r) =>
    Object.entries(r.runs)
      .filter(([, runs]) => runs.some((x) => !x.figures.conservation))
      .map(([variant]) => `${fmt(r.target)} calls, ${variant}`),
  );
}

/**
 * The sim bench's tables and notes. A run with broken money conservation
 * measured a market that lost or made money: its notes say BROKEN and the
 * bench's exit code is set to 1, so the run fails while its figures stay
 * readable.
 */
export function simTables(results: ScaleResult[]): { tables: Table[]; notes: string[] } {
  const broken = brokenRuns(results);
  if (broken.length) {
    console.error(`money conservation broken in: ${broken.join('; ')}`);
    process.exitCode = 1;
  }
  const compare = results.flatMap((r): [string, string][] =>
    r.runs[LANGGRAPH] ? [[`${fmt(r.target)} calls, ${SIGNED}`, `${fmt(r.target)} calls, ${LANGGRAPH}`]] : [],
  );
  const tables: Table[] = [
    {
      id: 'scale',
      title:
        'Calls (purchase attempts) per second of wall time, the whole run from market setup to the last call',
      unit: 'calls/s',
      higherIsBetter: true,
      rows: rowsOf(results, (_r, x) => (x.figures.purchases / x.figures.runMs) * 1000),
      compare,
    },
    {
      id: 'crypto-share',
      title:
        'Paid purchases/s as a share of the crypto floor (paid purchases/s if the run did nothing but its counted crypto, priced at the timing taken just before the run) = crypto time ÷ run time',
      unit: '%',
      higherIsBetter: true,
      rows: rowsOf(results, (r, x) => (cryptoMs(r, x) / x.figures.runMs) * 100),
    },
    {
      id: 'graph-floor',
      title: `Agent tasks/s (tasks ÷ the run's time after market setup) ÷ bare LangGraph invokes/s of a ${BUNDLE_NODES}-node graph (the node visits of one task of the bundles market), timed just before and just after the run (one sample each)`,
      unit: '×',
      higherIsBetter: true,
      rows: rowsOf(
        results,
        (r, x) => {
          // The floor moves between timings; the ones taken before and after the run bracket it.
          const tasksPerSec = (x.figures.tasks / callsMs(x.figures)) * 1000;
          return [r.floors[x.floor]!, r.floors[x.floor + 1]!].map((f) => tasksPerSec / f[BARE]!);
        },
        (variant) => VARIANTS.find((v) => v.name === variant)?.market === 'bundles',
      ),
    },
    {
      id: 'crypto-ops',
      title:
        'The floors on their own: crypto operations and a bare LangGraph invoke, timed before the first run and after each run, each timing in a process of its own',
      unit: 'ops/s',
      higherIsBetter: true,
      baseline: 'invoice signature',
      rows: CRYPTO_OPS.map((op): Row => ({ name: op, samples: floorSamples(results, op) })).concat([
        { name: `${BARE} (${BUNDLE_NODES} trivial nodes)`, samples: floorSamples(results, BARE) },
      ]),
    },
  ];
  return { tables, notes: [...targetNotes(results, tables), ...runNotes(results)] };
}

/** The targets, each with what this run measured. */
function targetNotes(results: ScaleResult[], tables: Table[]): string[] {
  const first = results[0]!;
  const last = results.at(-1)!;
  const lastRuns = last.runs[SIGNED]!;
  const setupMs = median(lastRuns.map((x) => x.figures.setupMs));
  const minutes = (setupMs + (usPerCall(last) * MILLION) / 1000) / 60_000;
  const growth = (usPerCall(last) / usPerCall(first) - 1) * 100;
  const samples = (id: string, r: ScaleResult, variant = SIGNED) =>
    tables.find((t) => t.id === id)!.rows.find((x) => x.name === `${fmt(r.target)} calls, ${variant}`)!
      .samples;
  const pick = (id: string, r: ScaleResult, variant = SIGNED) => median(samples(id, r, variant));
  const graph = spread(samples('graph-floor', last));
  const buys = results.filter((r) => r.runs[EVERY_BUY]).at(-1);
  const peakMb = Math.max(...lastRuns.map((x) => x.figures.peakRss)) / 2 ** 20;
  return [
    last.target === MILLION
      ? `Target: 1,000,000 calls in at most 10 minutes, signed: measured ${fmt(median(lastRuns.map((x) => x.figures.runMs)) / 60_000, 1)} min.`
      : `Target: 1,000,000 calls in at most 10 minutes, signed: not run at 1M here; at ${fmt(last.target)} calls a call took ${fmt(usPerCall(last))} µs after a ${fmt(setupMs / 1000, 1)} s setup, i.e. ${fmt(minutes, 1)} min for 1M at that rate.`,
    results.length > 1
      ? `Target: time per call (after market setup) grows less than 20% from ${fmt(first.target)} to ${fmt(last.target)} calls (to 1M in the issue): ${fmt(usPerCall(first))} → ${fmt(usPerCall(last))} µs, ${growth >= 0 ? '+' : ''}${fmt(growth, 1)}%.`
      : `Target: time per call growth: only one scale was run.`,
    buys
      ? `Target: paid purchases/s at least 25% of the crypto floor, for a market where every task buys (1-call tasks, every call paid): ${fmt(pick('crypto-share', buys, EVERY_BUY), 2)}% at ${fmt(buys.target)} calls (median).`
      : `Target: paid purchases/s at least 25% of the crypto floor, for a market where every task buys: that market was not run.`,
    `Target: agent tasks/s at least 5× bare LangGraph invokes/s of the same node count: ×${fmt(graph.median, 2)} at ${fmt(last.target)} calls (median; ×${fmt(graph.min, 2)}–×${fmt(graph.max, 2)} against the floors timed before and after each run).`,
    `Target: peak RSS at most 4 GB at 1M calls: ${fmt(peakMb)} MB at ${fmt(last.target)} calls.`,
  ];
}

function runNotes(results: ScaleResult[]): string[] {
  return results.flatMap((r) =>
    Object.entries(r.runs).map(([variant, runs]) => {
      const f = runs[0]!.figures;
      const c = runs[0]!.counts;
      const ok = runs.every((x) => x.figures.conservation);
      return (
        `${fmt(r.target)} calls, ${variant}: ${fmt(f.purchases)} calls (${fmt(f.paid)} paid, ${fmt(f.tasks)} tasks); conservation ${ok ? 'holds' : 'BROKEN'}; ` +
        `peak RSS ${fmt(Math.max(...runs.map((x) => x.figures.peakRss)) / 2 ** 20)} MB; purchases.csv ${f.csvMb.toFixed(1)} MB; ` +
        `setup ${fmt(Math.min(...runs.map((x) => x.figures.setupMs)) / 1000, 1)} s; ` +
        `GC pauses ${fmt((100 * f.gcMs) / f.runMs, 1)}% of the run; crypto per run: ` +
        CRYPTO_OPS.map((op) => `${op} ${fmt(c[op])}`).join(', ') +
        '.'
      );
    }),
  );
}
