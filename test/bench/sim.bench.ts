/**
 * The simulator at scale: 10,000 LangGraph buyers and 1,000 sellers in one
 * process, run to about 10k and 100k purchases (`SIM_BENCH_SCALES`, e.g.
 * 10000,100000,1000000). Each scale runs in its own child process (so peak
 * memory is that scale's) `SIM_BENCH_ROUNDS` times (default 3).
 *
 * The crypto floor is the cryptography the run actually does, counted in the
 * run's own process (every BOLT11 signature, recovery and verify, every
 * macaroon mint, caveat and chain check), priced by timing those same
 * operations in that process between the runs (before each run and after the
 * last): crypto time ÷ run time says how much of a run the crypto explains.
 *
 *   npm run bench -- sim
 *   SIM_BENCH_SCALES=10000 SIM_BENCH_ROUNDS=2 npm run bench -- sim
 *   SIM_BENCH_BUYERS=1000 SIM_BENCH_SELLERS=100 npm run bench -- sim   (a smaller market)
 *
 * Rows stream to a temporary purchases.csv as in a real run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCryptoCounter, CRYPTO_OPS, type CryptoCounter, type CryptoOp } from './crypto-count.js';
import { cryptoCases } from './crypto-floor.js';
import { currentLoad, interleave, writeResults, type Row } from './harness.js';
import { validateScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { FileSink } from '../../sim/metrics/sink.js';

const BUYERS = Number(process.env.SIM_BENCH_BUYERS ?? 10_000);
const SELLERS = Number(process.env.SIM_BENCH_SELLERS ?? 1_000);
const CALLS_PER_TASK = 10;
const DURATION_SEC = 600;

/** The bench market: bundles of 10 calls, tasks of 10 calls, so one graph run buys once and reuses its token. */
function benchScenario(targetPurchases: number) {
  const tasks = targetPurchases / CALLS_PER_TASK;
  const ratePerMin = tasks / BUYERS / (DURATION_SEC / 60);
  const v = validateScenario(
    {
      name: 'bench',
      seed: 1,
      durationSec: DURATION_SEC,
      drainSec: 120,
      network: {
        topology: { kind: 'hub_and_spoke', hubs: 8 },
        hopLatency: 10,
        sellerChannelMsat: 10_000_000_000,
      },
      registry: { searchLimit: 3 },
      sellers: [
        {
          name: 'feed',
          count: SELLERS,
          archetype: 'data-feed',
          price: { kind: 'fixed', msat: 2000 },
          tiers: [{ kind: 'bundle', calls: CALLS_PER_TASK }],
          latency: { kind: 'fixed', ms: 20 },
        },
      ],
      buyers: [
        {
          name: 'b',
          count: BUYERS,
          policy: { name: 'allow_all' },
          budgetMsat: 100_000_000,
          arrivals: { process: 'poisson', ratePerMin },
          tasks: [
            {
              capability: 'anomalies:read',
              calls: CALLS_PER_TASK,
              value: { dist: 'fixed', msat: 1_000_000 },
            },
          ],
        },
      ],
    },
    scenarioChecks,
  );
  if (!v.ok) throw new Error(v.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return v.scenario;
}

/** What one child (one scale, several rounds) reports. */
interface ScaleResult {
  target: number;
  purchases: number;
  paid: number;
  conservation: boolean;
  setupMs: number[];
  runMs: number[];
  peakRssMb: number;
  csvMb: number;
  /** Crypto operations per run (identical across rounds: the run is seeded). */
  counts: Record<CryptoOp, number>[];
  /** ops/s of each crypto operation, measured before each run and after the last. */
  floor: Row[];
}

/** One run of the scale's scenario; the counter's counts are this run's. */
async function oneRun(target: number, counter: CryptoCounter) {
  const dir = mkdtempSync(join(tmpdir(), 'sim-bench-'));
  let peak = process.memoryUsage().rss;
  const t0 = performance.now();
  let setupMs = 0;
  counter.take();
  const { summary } = await runScenario(benchScenario(target), {
    sinks: { purchases: new FileSink(join(dir, 'purchases.csv')) },
    onProgress: () => {
      setupMs ||= performance.now() - t0;
      peak = Math.max(peak, process.memoryUsage().rss);
    },
  });
  const runMs = performance.now() - t0;
  const counts = counter.take();
  const csvMb = statSync(join(dir, 'purchases.csv')).size / 2 ** 20;
  rmSync(dir, { recursive: true, force: true });
  return { summary, setupMs, runMs, peak, counts, csvMb };
}

async function child(target: number, rounds: number): Promise<void> {
  const counter = installCryptoCounter();
  const cases = cryptoCases();
  const floorSamples: Row[] = cases.map((c) => ({ name: c.name, samples: [] }));
  const timeFloor = async () => {
    const rows = await counter.paused(() => interleave(cases, { rounds: 1, minMs: 300 }));
    rows.forEach((r, i) => floorSamples[i]!.samples.push(...r.samples));
  };
  const out: Omit<ScaleResult, 'purchases' | 'paid' | 'conservation'> & Partial<ScaleResult> = {
    target,
    setupMs: [],
    runMs: [],
    peakRssMb: 0,
    csvMb: 0,
    counts: [],
    floor: floorSamples,
  };
  for (let r = 0; r < rounds; r++) {
    await timeFloor();
    const run = await oneRun(target, counter);
    out.purchases = run.summary.purchases.total;
    out.paid = run.summary.money.sales;
    out.conservation = (out.conservation ?? true) && run.summary.conservation.holds;
    out.setupMs.push(run.setupMs);
    out.runMs.push(run.runMs);
    out.peakRssMb = Math.max(
      out.peakRssMb,
      run.peak / 2 ** 20,
      (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    );
    out.csvMb = run.csvMb;
    out.counts.push(run.counts);
  }
  await timeFloor();
  console.log(JSON.stringify(out));
}

function runChild(target: number, rounds: number): ScaleResult | undefined {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--expose-gc',
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

/** µs of crypto in one run: each counted operation at the cost measured just before that run. */
function cryptoMs(counts: Record<CryptoOp, number>, floor: Row[], round: number): number {
  return CRYPTO_OPS.reduce((ms, op) => {
    const row = floor.find((f) => f.name === op)!;
    return ms + (counts[op] * 1000) / row.samples[round]!;
  }, 0);
}

async function main(): Promise<void> {
  const childArg = process.argv.indexOf('--child');
  if (childArg >= 0) return child(Number(process.argv[childArg + 1]), Number(process.argv[childArg + 2]));
  const load = currentLoad();
  const rounds = Number(process.env.SIM_BENCH_ROUNDS ?? 3);
  const scales = (process.env.SIM_BENCH_SCALES ?? '10000,100000').split(',').map(Number);
  const results: ScaleResult[] = [];
  for (const target of scales) {
    console.log(`scale ${target.toLocaleString('en-US')}: ${rounds} rounds …`);
    const res = runChild(target, rounds);
    if (!res) {
      process.exitCode = 1;
      break;
    }
    results.push(res);
  }
  if (!results.length) return;
  const label = (r: ScaleResult) =>
    `${r.purchases.toLocaleString('en-US')} purchases (${r.paid.toLocaleString('en-US')} paid)`;
  const floor: Row[] = CRYPTO_OPS.map((op) => ({
    name: op,
    samples: results.flatMap((r) => r.floor.find((f) => f.name === op)!.samples),
  }));
  const notes = results.flatMap((r) => {
    const c = r.counts[0]!;
    const same = r.counts.every((x) => CRYPTO_OPS.every((op) => x[op] === c[op]));
    return [
      `${label(r)}: conservation ${r.conservation ? 'holds' : 'BROKEN'} in every round; peak RSS ${Math.round(r.peakRssMb).toLocaleString('en-US')} MB; purchases.csv ${r.csvMb.toFixed(1)} MB; setup ${(Math.min(...r.setupMs) / 1000).toFixed(1)}–${(Math.max(...r.setupMs) / 1000).toFixed(1)} s.`,
      `${label(r)}: crypto per run${same ? '' : ' (round 1; rounds differ)'}: ${CRYPTO_OPS.map((op) => `${op} ${c[op].toLocaleString('en-US')}`).join(', ')}.`,
    ];
  });
  writeResults(
    {
      bench: 'sim',
      command: 'npm run bench -- sim',
      settings: {
        scales: scales.join(' and '),
        'rounds per scale': rounds,
        buyers: BUYERS,
        sellers: SELLERS,
        'calls per task (one payment, nine token reuses)': CALLS_PER_TASK,
      },
      tables: [
        {
          id: 'scale',
          title: `Purchases per second of wall time, ${BUYERS.toLocaleString('en-US')} LangGraph buyers and ${SELLERS.toLocaleString('en-US')} sellers in one process`,
          unit: 'purchases/s',
          higherIsBetter: true,
          rows: results.map((r) => ({
            name: label(r),
            samples: r.runMs.map((ms) => (r.purchases / ms) * 1000),
          })),
        },
        {
          id: 'crypto-share',
          title:
            'Crypto time ÷ run time: the operations the run did, counted in its process, at the cost timed in that process just before the run',
          unit: '%',
          higherIsBetter: true,
          rows: results.map((r) => ({
            name: label(r),
            samples: r.runMs.map((ms, i) => (cryptoMs(r.counts[i]!, r.floor, i) / ms) * 100),
          })),
        },
        {
          id: 'crypto-ops',
          title: 'The crypto operations on their own, timed in the run processes between runs',
          unit: 'ops/s',
          higherIsBetter: true,
          baseline: 'invoice signature',
          rows: floor,
        },
      ],
      notes,
    },
    load,
  );
}

await main();
