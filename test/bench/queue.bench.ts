/**
 * What a sweep run costs over the Redis queue against the same run in the
 * local sweep, measured side by side: a sweep of RUNS runs with the local
 * sweep's inline transport, and the same sweep through a BullMQ queue on a
 * redis-server of its own (loopback) with one queue worker in this process
 * (a warm worker thread, as a long-lived `sim worker` has). Two kinds of run:
 * a 10 s quickstart market, and an empty job (an invalid override, so the
 * run stops at validation) that leaves only the transport's cost.
 *
 *   npm run bench -- queue
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadScenario, resolveScenarioPath } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parseGridArgs } from '../../sim/sweep/grid.js';
import { runSweep, type SweepTransport } from '../../sim/sweep/runner.js';
import { parseQueueUrl } from '../../sim/sweep/queue-connection.js';
import { queueTransport } from '../../sim/sweep/queue-coordinator.js';
import { startQueueWorker } from '../../sim/sweep/queue-worker.js';
import { resultsKey } from '../../sim/sweep/queue-plan.js';
import { redisUnavailable, startRedis } from '../sim/queue-harness.js';
import {
  compareRows,
  settledLoad,
  interleave,
  spread,
  writeResults,
  type Case,
  type Row,
} from './harness.js';

const load = await settledLoad();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = 8; // runs per sweep: 8 seeds of one point
const BASE = { durationSec: 10, drainSec: 20 };

const why = redisUnavailable();
if (why) {
  console.error(`queue bench: ${why}`);
  process.exit(1);
}
const redis = await startRedis();
const flush = redis.client(0);
const target = parseQueueUrl(redis.url(0));
const file = resolveScenarioPath('quickstart');
const queued: SweepTransport = queueTransport(target, {
  scenario: { file, text: readFileSync(file, 'utf8') },
  pollMs: 50,
});
const worker = await startQueueWorker(target, { concurrency: 1, lockMs: 30_000, log: () => {} });
const loaded = loadScenario('quickstart', { overrides: BASE, checks: scenarioChecks });

/** One sweep of RUNS seeds at one point; `axes` picks the kind of run. */
async function sweep(axes: string[], transport?: SweepTransport): Promise<void> {
  await flush.flushdb(); // a fresh sweep each time: no stored result is reused
  const r = await runSweep({
    scenario: 'quickstart',
    loaded,
    axes: parseGridArgs(axes),
    seeds: RUNS,
    workers: 0,
    base: BASE,
    ...(transport && { transport }),
  });
  const expected = axes[0]!.includes('-1') ? RUNS : 0;
  if (r.failures.length !== expected)
    throw new Error(`expected ${expected} failures, got ${r.failures.length}`);
}

const market = ['buyers[0].decider.name=cheapest'];
const empty = ['buyers[0].budgetMsat=-1'];
const pair = (kind: string, axes: string[]): Case[] => [
  { name: `${kind}, local (inline)`, run: () => sweep(axes), perCall: RUNS, warmup: 1 },
  { name: `${kind}, Redis queue`, run: () => sweep(axes, queued), perCall: RUNS, warmup: 1 },
];
const opts = { rounds: ROUNDS, minMs: 1 };
const runs = await interleave(pair('quickstart run (10 s market)', market), opts);
const empties = await interleave(pair('empty job', empty), opts);
const stored = await storedBytes();
await worker.close();
await redis.stop();

/**
 * What one more queued sweep of quickstart runs leaves in Redis per run: the results hash's
 * memory (Redis `MEMORY USAGE`, every field counted), the packed replies' bytes and their JSON's.
 */
async function storedBytes(): Promise<{ redis: number; packed: number; json: number }> {
  await sweep(market, queued);
  const [key] = await flush.keys(resultsKey('*'));
  const replies = Object.values(await flush.hgetallBuffer(key!));
  if (replies.length !== RUNS) throw new Error(`expected ${RUNS} stored replies, got ${replies.length}`);
  const json = replies.reduce((n, r) => n + gunzipSync(r).length, 0);
  const packed = replies.reduce((n, r) => n + r.length, 0);
  const memory = Number(await flush.memory('USAGE', key!, 'SAMPLES', 0));
  return {
    redis: Math.round(memory / RUNS),
    packed: Math.round(packed / RUNS),
    json: Math.round(json / RUNS),
  };
}

// Per-run milliseconds from runs/s, and the queue's extra cost per run (median of the per-round differences).
const overhead = (rows: Row[]): string => {
  const [l, q] = rows as [Row, Row];
  const perRound = q.samples.map((s, i) => 1000 / s - 1000 / l.samples[i]!);
  const s = spread(perRound);
  const verdict = compareRows(q, l, true).verdict;
  return `${s.median.toFixed(1)} ms (per round ${s.min.toFixed(1)} to ${s.max.toFixed(1)}; ${verdict})`;
};

writeResults(
  {
    bench: 'queue',
    command: 'npm run bench -- queue',
    settings: { rounds: ROUNDS, 'runs per sweep': RUNS, worker: '1 in-process, concurrency 1' },
    tables: [
      {
        id: 'runs',
        title: `Sweep runs per second: a sweep of ${RUNS} quickstart runs, locally and over the Redis queue`,
        unit: 'runs/s',
        higherIsBetter: true,
        baseline: runs[0]!.name,
        rows: runs,
      },
      {
        id: 'empty',
        title: `Jobs per second for a job that stops at validation: the transport's cost alone`,
        unit: 'jobs/s',
        higherIsBetter: true,
        baseline: empties[0]!.name,
        rows: empties,
      },
    ],
    notes: [
      `Extra wall time per quickstart run over the queue: ${overhead(runs)}.`,
      `Extra wall time per empty job over the queue: ${overhead(empties)}.`,
      `Redis memory per stored quickstart run: ${stored.redis.toLocaleString('en-US')} bytes (its reply gzipped to ` +
        `${stored.packed.toLocaleString('en-US')} bytes from ${stored.json.toLocaleString('en-US')} bytes of JSON; ` +
        'a summary grows with sellers and groups).',
      'The queue rows include enqueueing, the worker taking the job, running it in a worker thread, storing ' +
        'the reply in Redis and the coordinator reading it (every 50 ms here; the CLI reads every 250 ms).',
    ],
  },
  load,
);
