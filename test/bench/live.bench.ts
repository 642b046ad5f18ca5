/**
 * Does watching slow the market? The quickstart market runs unpaced (as fast
 * as it computes) behind the live server with 0, 10 and 100 viewers
 * connected, each receiving every snapshot (one per 100 ms). Rows are
 * interleaved over rounds so drift on a shared machine hits every row alike;
 * min/median/max of the run's wall time are printed and written as JSON
 * (default runs/bench/live.json, or BENCH_OUT). A difference inside the
 * spread is no measurable difference.
 *
 * `npm run bench -- live` (BENCH_ROUNDS=5 by default).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { loadScenario } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { LiveMarket } from '../../sim/live/live-market.js';
import { startLiveServer } from '../../sim/live/server.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OUT = resolve(process.env.BENCH_OUT ?? join('runs', 'bench', 'live.json'));
const VIEWERS = [0, 10, 100];

async function once(viewers: number): Promise<{ wallMs: number; purchases: number; frames: number }> {
  const scenario = loadScenario('quickstart', { checks: scenarioChecks });
  const market = new LiveMarket(scenario, {
    outDir: mkdtempSync(join(tmpdir(), 'live-bench-')),
    pace: false,
  });
  const t0 = performance.now();
  const server = await startLiveServer(market, { intervalMs: 100 });
  let frames = 0;
  const sockets = await Promise.all(
    Array.from({ length: viewers }, () => {
      const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws');
      ws.on('message', () => frames++);
      return new Promise<WebSocket>((ok, fail) => ws.once('open', () => ok(ws)).once('error', fail));
    }),
  );
  const out = await market.done;
  const wallMs = performance.now() - t0;
  for (const ws of sockets) ws.close();
  await server.close();
  return { wallMs, purchases: out.summary.purchases.total, frames };
}

const samples = new Map<number, { wallMs: number; purchases: number; frames: number }[]>(
  VIEWERS.map((v) => [v, []]),
);
for (let round = 0; round < ROUNDS; round++)
  for (const v of round % 2 ? [...VIEWERS].reverse() : VIEWERS) samples.get(v)!.push(await once(v));

const rows = VIEWERS.map((viewers) => {
  const s = samples.get(viewers)!;
  const ms = s.map((x) => x.wallMs).sort((a, b) => a - b);
  return {
    viewers,
    rounds: s.length,
    minMs: Math.round(ms[0]!),
    medianMs: Math.round(ms[Math.floor(ms.length / 2)]!),
    maxMs: Math.round(ms.at(-1)!),
    purchases: s[0]!.purchases,
    framesReceived: s.reduce((a, x) => a + x.frames, 0),
  };
});
const base = rows[0]!;
console.log(`\n## quickstart run wall time with N live viewers (${ROUNDS} interleaved rounds)`);
console.table(
  rows.map((r) => ({
    viewers: r.viewers,
    'min ms': r.minMs,
    'median ms': r.medianMs,
    'max ms': r.maxMs,
    '× 0 viewers (median)': (r.medianMs / base.medianMs).toFixed(3),
    'inside 0-viewer spread': r.minMs <= base.maxMs && r.maxMs >= base.minMs ? 'yes' : 'no',
  })),
);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
  JSON.stringify({ bench: 'live-viewers', scenario: 'quickstart', intervalMs: 100, rows }, null, 2) + '\n',
);
console.log(`written ${OUT}`);
