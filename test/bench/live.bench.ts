/**
 * Does watching slow the market? The quickstart market runs unpaced (as fast
 * as it computes) behind the live server with 0, 10 and 100 viewers
 * connected, each receiving every snapshot (one per 100 ms). One sample is
 * everything one run takes: building the market (which starts it), starting
 * the live server, the viewers' WebSocket handshakes (made while the market
 * already runs), the run to its end, closing the sockets and the server. The
 * rows are interleaved over `BENCH_ROUNDS` rounds (default 5) by the shared
 * harness, written to bench-results/live.json and shown in
 * docs/benchmarks.md with the notes (purchases per run, snapshots received).
 * A difference inside the spread is no measurable difference.
 *
 *   npm run bench -- live
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { LiveMarket } from '../../sim/live/live-market.js';
import { startLiveServer } from '../../sim/live/server.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const VIEWERS = [0, 10, 100];
const INTERVAL_MS = 100;

/** What every run of a row saw: purchases per run (the same each time) and snapshots received in all. */
const seen = new Map<number, { purchases: Set<number>; frames: number }>(
  VIEWERS.map((v) => [v, { purchases: new Set(), frames: 0 }]),
);

/** One unpaced quickstart run behind the live server with `viewers` sockets reading every snapshot. */
async function once(viewers: number): Promise<void> {
  const scenario = loadScenario('quickstart', { checks: scenarioChecks });
  const outDir = mkdtempSync(join(tmpdir(), 'live-bench-'));
  const market = new LiveMarket(scenario, { outDir, pace: false });
  const server = await startLiveServer(market, { intervalMs: INTERVAL_MS });
  const row = seen.get(viewers)!;
  const sockets = await Promise.all(
    Array.from({ length: viewers }, () => {
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws');
      ws.on('message', () => row.frames++);
      return new Promise<WebSocket>((ok, fail) => ws.once('open', () => ok(ws)).once('error', fail));
    }),
  );
  const out = await market.done;
  row.purchases.add(out.summary.purchases.total);
  for (const ws of sockets) ws.close();
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
}

const name = (viewers: number) => `${viewers} viewers`;
const cases: Case[] = VIEWERS.map((v) => ({ name: name(v), run: () => once(v), warmup: 1 }));
const rows = await interleave(cases, { rounds: ROUNDS, minMs: 1 });

writeResults(
  {
    bench: 'live',
    command: 'npm run bench -- live',
    settings: {
      rounds: ROUNDS,
      scenario: 'quickstart, unpaced',
      'snapshot interval': `${INTERVAL_MS} ms`,
    },
    tables: [
      {
        id: 'viewers',
        title:
          'Quickstart runs per second (unpaced) behind the live server, by the number of viewers receiving every snapshot; a sample includes server start, the viewers connecting and teardown',
        unit: 'runs/s',
        higherIsBetter: true,
        baseline: name(0),
        rows,
      },
    ],
    notes: VIEWERS.map((v) => {
      const r = seen.get(v)!;
      return `${name(v)}: ${[...r.purchases].join(', ')} purchase attempts per run; ${r.frames.toLocaleString('en-US')} snapshots received over all runs (warm-up included).`;
    }),
  },
  load,
);
