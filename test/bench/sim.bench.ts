/**
 * The simulator at scale: 10,000 LangGraph buyers and 1,000 sellers in one
 * process, run to about 10k, 100k and 1M purchases. Prints purchases/s,
 * time per purchase and peak memory at each scale (growth should be linear),
 * next to the crypto floor measured in the same run: invoice sign + verify
 * and macaroon mint + verify, the work no purchase can avoid.
 *
 *   npm run bench -- sim                      (10k, 100k, 1M purchases)
 *   SIM_BENCH_SCALES=10000,100000 npm run bench -- sim
 *
 * Each scale runs in its own child process, so peak memory is that scale's.
 * Rows stream to a temporary purchases.csv as in a real run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, report } from './harness.js';
import { createRng } from '../../infra/random.js';
import { encodeInvoice, decodeInvoice } from '../../infra/lightning/bolt11.js';
import { MemoryRootKeyStore, caveats, createMinter, formatAuthorization } from '../../infra/l402/index.js';
import { createHash } from 'node:crypto';
import { validateScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { FileSink } from '../../sim/metrics/sink.js';

const BUYERS = 10_000;
const SELLERS = 1_000;
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

interface ScaleResult {
  target: number;
  purchases: number;
  paid: number;
  setupMs: number;
  runMs: number;
  peakRssMb: number;
  csvMb: number;
  conservation: boolean;
}

async function child(target: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sim-bench-'));
  let peak = process.memoryUsage().rss;
  const t0 = performance.now();
  let setupMs = 0;
  const purchases = new FileSink(join(dir, 'purchases.csv'));
  const { summary } = await runScenario(benchScenario(target), {
    sinks: { purchases },
    onProgress: () => {
      setupMs ||= performance.now() - t0;
      peak = Math.max(peak, process.memoryUsage().rss);
    },
  });
  const runMs = performance.now() - t0;
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  const out: ScaleResult = {
    target,
    purchases: summary.purchases.total,
    paid: summary.money.sales,
    setupMs,
    runMs,
    peakRssMb: peak / 2 ** 20,
    csvMb: statSync(join(dir, 'purchases.csv')).size / 2 ** 20,
    conservation: summary.conservation.holds,
  };
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(out));
}

async function cryptoFloor(): Promise<{ invoice: number; macaroon: number; perPurchase: number }> {
  const rng = createRng('bench');
  const key = rng.bytes(32);
  const hashes = Array.from({ length: 256 }, () => Buffer.from(rng.bytes(32)).toString('hex'));
  const timestampSec = 1_767_225_600;
  const invoices = hashes.map((paymentHash) =>
    encodeInvoice(
      { network: 'regtest', amountMsat: 20_000, paymentHash, timestampSec, description: 'feed tier 0' },
      key,
    ),
  );
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const cav = [
    caveats.services([{ name: 'feed-0', tier: 0 }]),
    caveats.capabilities('feed-0', ['anomalies:read']),
    caveats.maxCalls('feed-0', 10),
  ];
  const rows = [
    await measure('invoice sign + verify (BOLT11, secp256k1)', (i) => {
      const pr = encodeInvoice(
        {
          network: 'regtest',
          amountMsat: 20_000,
          paymentHash: hashes[i & 255]!,
          timestampSec,
          description: 'feed tier 0',
        },
        key,
      );
      decodeInvoice(pr);
    }),
    await measure('invoice verify only', (i) => decodeInvoice(invoices[i & 255]!)),
    await measure('macaroon mint + verify (3 caveats)', async () => {
      const pre = rng.bytes(32);
      const hash = createHash('sha256').update(pre).digest('hex');
      const { token } = await minter.mint({ paymentHash: hash, caveats: cav });
      const r = await minter.verify(
        formatAuthorization({ macaroon: token, preimage: Buffer.from(pre).toString('hex') }),
        {
          service: 'feed-0',
          nowMs: 1_767_225_600_000,
          capability: 'anomalies:read',
        },
      );
      if (!r.ok) throw r.error;
    }),
  ];
  report('crypto floor: the work every paid purchase does', rows);
  const invoice = rows[0]!.opsPerSec;
  const macaroon = rows[2]!.opsPerSec;
  // One paid purchase does one of each: the floor is their harmonic combination.
  return { invoice, macaroon, perPurchase: 1 / (1 / invoice + 1 / macaroon) };
}

async function main(): Promise<void> {
  const childArg = process.argv.indexOf('--child');
  if (childArg >= 0) return child(Number(process.argv[childArg + 1]));
  const floor = await cryptoFloor();
  const scales = (process.env.SIM_BENCH_SCALES ?? '10000,100000,1000000').split(',').map(Number);
  console.log(
    `\n## simulator: ${BUYERS.toLocaleString('en-US')} buyers (LangGraph), ${SELLERS.toLocaleString('en-US')} sellers, tasks of ${CALLS_PER_TASK} calls on ${CALLS_PER_TASK}-call bundles`,
  );
  const results: ScaleResult[] = [];
  for (const target of scales) {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(target)],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    if (r.status !== 0 || !line.startsWith('{')) {
      console.error(`scale ${target} failed (exit ${r.status})`);
      process.exitCode = 1;
      break;
    }
    const res = JSON.parse(line) as ScaleResult;
    results.push(res);
    printTable(results, floor.perPurchase);
  }
  const first = results[0];
  const last = results.at(-1);
  if (first && last && last !== first) {
    const growth = last.runMs / last.purchases / (first.runMs / first.purchases);
    console.log(
      `time per purchase grows ×${growth.toFixed(2)} from ${first.purchases.toLocaleString('en-US')} to ${last.purchases.toLocaleString('en-US')} purchases (1.00 = linear total time)`,
    );
  }
  console.log(
    `crypto floor ${Math.round(floor.perPurchase).toLocaleString('en-US')} paid purchases/s ` +
      `(invoice sign+verify ${Math.round(floor.invoice).toLocaleString('en-US')}/s, macaroon mint+verify ${Math.round(floor.macaroon).toLocaleString('en-US')}/s)`,
  );
}

function printTable(results: ScaleResult[], floor: number): void {
  console.table(
    results.map((r) => {
      const total = r.runMs / 1000;
      return {
        purchases: r.purchases.toLocaleString('en-US'),
        'paid (invoices)': r.paid.toLocaleString('en-US'),
        'setup s': (r.setupMs / 1000).toFixed(1),
        'total s': total.toFixed(1),
        'purchases/s': Math.round(r.purchases / total).toLocaleString('en-US'),
        'µs/purchase': Math.round((r.runMs * 1000) / r.purchases).toLocaleString('en-US'),
        'peak RSS MB': Math.round(r.peakRssMb),
        'csv MB': r.csvMb.toFixed(1),
        'paid/s ÷ crypto floor': (r.paid / total / floor).toFixed(4),
        conservation: r.conservation ? 'holds' : 'BROKEN',
      };
    }),
  );
}

await main();
