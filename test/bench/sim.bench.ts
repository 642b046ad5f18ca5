/**
 * The simulator at scale: 10,000 buyers and 1,000 sellers in one process
 * (sim-market.ts), run to each number of calls in `SIM_BENCH_SCALES`
 * (default 10000,100000; the target is 1000000) for
 * `SIM_BENCH_ROUNDS` rounds (default 2). Every round runs each variant once,
 * the order rotated from round to round, each run in a process of its own
 * (so its peak RSS, the kernel's high-water mark, is that run's): the
 * bundles market (10-call tasks on 10-call bundles) on the market's direct
 * executor with signed and with unsigned invoices, and (up to
 * `SIM_BENCH_LANGGRAPH_MAX` calls, default 10000) the same buyers through
 * LangGraph's runtime; and the every-buy market (1-call tasks at per-call
 * prices: every task is a paid purchase; up to `SIM_BENCH_EVERY_BUY_MAX`
 * calls, default 100000) on the direct executor, signed.
 *
 * Floors, each timed for 1 s in a process of their own before the first run
 * and after each run (so every run lies between two timings): the crypto the
 * run did (every BOLT11 signature, recovery and verify, every macaroon mint,
 * caveat and chain check, counted in the run and priced at the timing just
 * before it) and bare LangGraph invokes/s of a graph with as many trivial
 * nodes as one bench task visits (after 3 s of warm-up; each run is divided
 * by the timings just before and just after it). The targets
 * (sim-targets.ts) are printed and written with the tables.
 *
 *   npm run bench -- sim
 *   SIM_BENCH_SCALES=10000,1000000 SIM_BENCH_ROUNDS=1 npm run bench -- sim
 *   SIM_BENCH_BUYERS=1000 SIM_BENCH_SELLERS=100 npm run bench -- sim   (a smaller market)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { installCryptoCounter } from './crypto-count.js';
import { cryptoCases } from './crypto-floor.js';
import { settledLoad, interleave, writeResults } from './harness.js';
import { BUYERS, CALLS_PER_TASK, SELLERS, VARIANTS, nodesPerTask, oneRun } from './sim-market.js';
import { trivialGraph } from './trivial-graph.js';
import { BARE, simTables, type FloorTiming, type RunResult, type ScaleResult } from './sim-targets.js';

const LANGGRAPH_MAX = Number(process.env.SIM_BENCH_LANGGRAPH_MAX ?? 10_000);
const EVERY_BUY_MAX = Number(process.env.SIM_BENCH_EVERY_BUY_MAX ?? 100_000);

/** The floors, timed in a process of their own: each crypto operation and a bare LangGraph invoke, 1 s each. */
async function floorChild(): Promise<void> {
  const nodes = nodesPerTask('bundles');
  const graph = trivialGraph(nodes);
  const cases = [
    ...cryptoCases(),
    {
      name: BARE,
      run: () => graph.invoke({ n: 0 }, { recursionLimit: nodes + 10 }),
      // Cold, LangGraph's runtime runs at about a third of its speed for its first second on this machine; the runs it is
      // compared with are measured over minutes, so the floor is timed once the JIT has optimized it.
      warmupMs: 3000,
    },
  ];
  const rows = await interleave(cases, { rounds: 1, minMs: 1000 });
  const timing: FloorTiming = Object.fromEntries(rows.map((r) => [r.name, r.samples[0]!]));
  console.log(JSON.stringify(timing));
}

/** One market run in a process of its own, so the process's peak RSS is the run's. */
async function runChild(target: number, variantIndex: number): Promise<void> {
  const run: Omit<RunResult, 'floor'> = await oneRun(target, VARIANTS[variantIndex]!, installCryptoCounter());
  console.log(JSON.stringify(run));
}

/** Variants run at `target` calls: the LangGraph runtime and the every-buy market only up to their limits. */
function variantsAt(target: number): number[] {
  return VARIANTS.flatMap((v, i) =>
    (v.executor === 'direct' || target <= LANGGRAPH_MAX) &&
    (v.market === 'bundles' || target <= EVERY_BUY_MAX)
      ? [i]
      : [],
  );
}

/**
 * Every round runs each variant once, the order rotated from round to round; the floors are timed before the
 * first run and after each run, so each run lies between two timings.
 */
function runScale(target: number, rounds: number): ScaleResult | undefined {
  const variants = variantsAt(target);
  const first = spawnChild<FloorTiming>(['--floor']);
  if (!first) return undefined;
  const floors = [first];
  const runs: ScaleResult['runs'] = {};
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const index = variants[(k + r) % variants.length]!;
      const run = spawnChild<Omit<RunResult, 'floor'>>(['--run', String(target), String(index)]);
      const after = run && spawnChild<FloorTiming>(['--floor']);
      if (!run || !after) return undefined;
      (runs[VARIANTS[index]!.name] ??= []).push({ ...run, floor: floors.length - 1 });
      floors.push(after);
    }
  }
  return { target, floors, runs };
}

/** Runs this file in a child process with `args`; its last line of output is its JSON result. */
function spawnChild<T>(args: string[]): T | undefined {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--max-old-space-size=4096',
      // 64 MB semi-spaces, as `npm run sim` and the sweep workers run (agents allocate many short-lived objects), from the
      // start: LangGraph's floor, timed in a fresh process, runs markedly slower while its young generation is small.
      '--max-semi-space-size=64',
      '--min-semi-space-size=64',
      fileURLToPath(import.meta.url),
      ...args,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.error(`${args.join(' ')} failed (exit ${r.status})`);
    return undefined;
  }
  return JSON.parse(line) as T;
}

async function main(): Promise<void> {
  if (process.argv.includes('--floor')) return floorChild();
  const runArg = process.argv.indexOf('--run');
  if (runArg >= 0) return runChild(Number(process.argv[runArg + 1]), Number(process.argv[runArg + 2]));
  const load = await settledLoad();
  const rounds = Number(process.env.SIM_BENCH_ROUNDS ?? 2);
  const scales = (process.env.SIM_BENCH_SCALES ?? '10000,100000').split(',').map(Number);
  const results: ScaleResult[] = [];
  for (const target of scales) {
    console.log(
      `scale ${target.toLocaleString('en-US')} calls: ${rounds} rounds of ${variantsAt(target).length} runs …`,
    );
    const res = runScale(target, rounds);
    if (!res) {
      process.exitCode = 1;
      break;
    }
    results.push(res);
  }
  if (!results.length) return;
  const { tables, notes } = simTables(results);
  writeResults(
    {
      bench: 'sim',
      command: 'npm run bench -- sim',
      settings: {
        scales: scales.join(' and '),
        'rounds per scale': rounds,
        buyers: BUYERS,
        sellers: SELLERS,
        'calls per task, bundles market (one payment, nine token reuses)': CALLS_PER_TASK.bundles,
        'calls per task, every-buy market (each paid)': CALLS_PER_TASK['every-buy'],
        'LangGraph runtime rows up to': LANGGRAPH_MAX,
        'every-buy market rows up to': EVERY_BUY_MAX,
      },
      tables,
      notes,
    },
    load,
  );
}

await main();
