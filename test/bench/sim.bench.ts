/**
 * The simulator at scale: 10,000 buyers and 1,000 sellers in one process
 * (sim-market.ts), run to each number of calls in `SIM_BENCH_SCALES`
 * (default 10000,100000; the target is 1000000). Each scale runs in
 * its own child process (so its peak memory is its own) for
 * `SIM_BENCH_ROUNDS` rounds (default 2). In every round the child runs each
 * variant once, the order rotated from round to round: the bundles market
 * (10-call tasks on 10-call bundles) on the market's direct executor with
 * signed and with unsigned invoices, and (up to `SIM_BENCH_LANGGRAPH_MAX`
 * calls, default 10000) the same buyers through LangGraph's runtime; and the
 * every-buy market (1-call tasks at per-call prices: every task is a paid
 * purchase; up to `SIM_BENCH_EVERY_BUY_MAX` calls, default 100000) on the
 * direct executor, signed.
 *
 * Floors, each timed for 1 s in the same process before every round and
 * after the last: the crypto the run did (every BOLT11 signature, recovery
 * and verify, every macaroon mint, caveat and chain check, counted in the run
 * and priced at the cost measured there) and bare LangGraph invokes/s of a
 * graph with as many trivial nodes as one bench task visits (after 3 s of
 * warm-up; each run is divided by the timings just before and just after
 * it). The targets (sim-targets.ts) are printed and written with the tables.
 *
 *   npm run bench -- sim
 *   SIM_BENCH_SCALES=10000,1000000 SIM_BENCH_ROUNDS=1 npm run bench -- sim
 *   SIM_BENCH_BUYERS=1000 SIM_BENCH_SELLERS=100 npm run bench -- sim   (a smaller market)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { installCryptoCounter, type CryptoOp } from './crypto-count.js';
import { cryptoCases } from './crypto-floor.js';
import { currentLoad, interleave, writeResults, type Row } from './harness.js';
import {
  BUYERS,
  CALLS_PER_TASK,
  SELLERS,
  VARIANTS,
  nodesPerTask,
  oneRun,
  trivialGraph,
  type RunFigures,
} from './sim-market.js';
import { simTables, type ScaleResult } from './sim-targets.js';

const LANGGRAPH_MAX = Number(process.env.SIM_BENCH_LANGGRAPH_MAX ?? 10_000);
const EVERY_BUY_MAX = Number(process.env.SIM_BENCH_EVERY_BUY_MAX ?? 100_000);

async function child(target: number, rounds: number): Promise<void> {
  const counter = installCryptoCounter();
  const nodes = nodesPerTask('bundles');
  const graph = trivialGraph(nodes);
  const floorCases = [
    ...cryptoCases(),
    {
      name: 'bare LangGraph invoke',
      run: () => graph.invoke({ n: 0 }, { recursionLimit: nodes + 10 }),
      // Cold, LangGraph's runtime runs at about a third of its speed for its first second on this machine; the runs it is
      // compared with are measured over minutes, so the floor is timed once the JIT has optimized it.
      warmupMs: 3000,
    },
  ];
  const floor: Row[] = floorCases.map((c) => ({ name: c.name, samples: [] }));
  const timeFloor = async () => {
    const rows = await counter.paused(() => interleave(floorCases, { rounds: 1, minMs: 1000 }));
    rows.forEach((r, i) => floor[i]!.samples.push(...r.samples));
  };
  const variants = VARIANTS.filter(
    (v) =>
      (v.executor === 'direct' || target <= LANGGRAPH_MAX) &&
      (v.market === 'bundles' || target <= EVERY_BUY_MAX),
  );
  const runs: Record<string, { figures: RunFigures; counts: Record<CryptoOp, number>; round: number }[]> = {};
  for (let r = 0; r < rounds; r++) {
    await timeFloor();
    for (let k = 0; k < variants.length; k++) {
      const v = variants[(k + r) % variants.length]!;
      const run = await oneRun(target, v, counter);
      (runs[v.name] ??= []).push({ ...run, round: r });
      global.gc?.();
    }
  }
  await timeFloor();
  const out: ScaleResult = { target, runs, floor };
  console.log(JSON.stringify(out));
}

function runChild(target: number, rounds: number): ScaleResult | undefined {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--expose-gc',
      '--max-old-space-size=4096',
      // 64 MB semi-spaces, as `npm run sim` and the sweep workers run (agents allocate many short-lived objects).
      '--max-semi-space-size=64',
      fileURLToPath(import.meta.url),
      '--child',
      String(target),
      String(rounds),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.error(`scale ${target} failed (exit ${r.status})`);
    return undefined;
  }
  return JSON.parse(line) as ScaleResult;
}

async function main(): Promise<void> {
  const childArg = process.argv.indexOf('--child');
  if (childArg >= 0) return child(Number(process.argv[childArg + 1]), Number(process.argv[childArg + 2]));
  const load = currentLoad();
  const rounds = Number(process.env.SIM_BENCH_ROUNDS ?? 2);
  const scales = (process.env.SIM_BENCH_SCALES ?? '10000,100000').split(',').map(Number);
  const results: ScaleResult[] = [];
  for (const target of scales) {
    console.log(`scale ${target.toLocaleString('en-US')} calls: ${rounds} rounds …`);
    const res = runChild(target, rounds);
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
