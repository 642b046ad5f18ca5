/**
 * Real-network figures, measured side by side in one run on a native regtest
 * network (`npm run bench -- regtest`):
 *
 * 1. Purchase latency (probe → 402 → invoice checks → LND payment over two
 *    hops → authorized retry), median and p95, divided by what it cannot
 *    avoid: a bare LND payment of the same kind plus two loopback HTTP round
 *    trips. Also the same purchase through Aperture.
 * 2. Authorized requests/s through our paywall (as a reverse proxy) divided
 *    by Aperture v0.5.0's, in front of the same backend process, with the
 *    load generated from another process.
 *
 * Reuses a running native network (`REGTEST_NETWORK`, default
 * .regtest/network.json) or brings one up for the run. `BENCH_N` purchases
 * per kind (default 40), `BENCH_MS` per load round (default 3000),
 * `BENCH_CONNECTIONS` (default 16), `BENCH_PART=latency|throughput` runs one part.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { Pool } from 'undici';
import { createL402Client } from '../../agents/l402/index.js';
import { MemoryRootKeyStore, createMinter, formatAuthorization } from '../../infra/l402/index.js';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import { createLogger } from '../../infra/log.js';
import { APERTURE, ensureBinaries, REGTEST_TARGETS } from '../../infra/regtest/binaries.js';
import { loadNetwork, nodeByName, type NetworkDesc } from '../../infra/regtest/network-file.js';
import { acquireSharedNetwork } from '../../infra/regtest/shared-network.js';
import { processStatus } from '../../infra/regtest/state.js';
import { systemClock } from '../../infra/time/clock.js';
import { listen } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { lndGrpcHost, startAperture } from '../regtest/support/aperture.js';
import { report, type Measurement } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SUPPORT = join(ROOT, 'test', 'regtest', 'support');
const N = Number(process.env.BENCH_N ?? 40);
const LOAD_MS = Number(process.env.BENCH_MS ?? 3000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PART = process.env.BENCH_PART;
const clock = systemClock;
const log = createLogger({ name: 'bench-regtest', level: process.env.LOG_LEVEL ?? 'warn' });
const cleanup: (() => Promise<unknown>)[] = [];

/** A running native network: the one described at REGTEST_NETWORK if all its daemons run, else a fresh one. */
async function network(): Promise<{ net: NetworkDesc; stateDir: string; how: string }> {
  const path = resolve(process.env.REGTEST_NETWORK ?? join(ROOT, '.regtest', 'network.json'));
  const existing = await loadNetwork(path).catch(() => undefined);
  if (existing?.stateDir) {
    const procs = await processStatus(existing.stateDir);
    if (procs.length > 0 && procs.every((p) => p.running))
      return { net: existing, stateDir: existing.stateDir, how: `reused ${path}` };
  }
  const lease = await acquireSharedNetwork({ ownerPid: process.pid, clock, logger: log });
  cleanup.push(() => lease.release());
  return { ...lease, how: 'brought up for this run (torn down when the benchmark exits)' };
}

/** Starts a helper script of test/regtest/support in its own node process. */
function child(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(SUPPORT, script), ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

async function output(p: ChildProcess, untilLine = false): Promise<string> {
  let text = '';
  for await (const chunk of p.stdout!) {
    text += String(chunk);
    if (untilLine && text.includes('\n')) return text.trim();
  }
  return text;
}

/** Nearest-rank quantile. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

async function main(): Promise<void> {
  await ensureBinaries([...REGTEST_TARGETS, APERTURE], { clock, logger: log });
  const { net, stateDir, how } = await network();
  console.log(`network: ${how}`);
  const seller = await LndNode.fromFiles(nodeByName(net, 'seller-1'), { clock });
  const buyer = await LndNode.fromFiles(nodeByName(net, 'buyer-1'), { clock });
  cleanup.push(
    () => seller.close(),
    () => buyer.close(),
  );
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => randomBytes(n) });

  // The backend both proxies front, in its own process.
  const backendProc = child('backend-child.ts', []);
  cleanup.push(async () => backendProc.kill('SIGTERM'));
  const backend = await output(backendProc, true);

  // Our side: a paid route for purchases, a ping for round trips, and our paywall as a reverse proxy
  // in front of the backend, forwarding with a keep-alive connection pool (as Go's http.Transport
  // does for Aperture) or with fetch(); and, for reference, the same paywall over an in-process handler.
  const app = new Hono();
  const paid = () => l402Paywall({ node: seller, minter, clock, service: 'fortune', price: 10_000 });
  const pool = new Pool(`http://${backend}`, { connections: 2 * CONNECTIONS });
  cleanup.push(() => pool.close());
  app.get('/ping', (c) => c.json({ pong: true }));
  app.get(
    '/v1/data',
    l402Paywall({ node: seller, minter, clock, service: 'latency', price: 2_000, maxCalls: 1 }),
    (c) => c.json({ ok: true }),
  );
  app.get('/v1/fortune', paid(), async function forwardPooled(c) {
    const res = await pool.request({
      path: '/v1/fortune',
      method: 'GET',
      headers: { authorization: c.req.header('authorization') ?? '' },
    });
    return c.body(await res.body.text(), res.statusCode as 200, { 'content-type': 'application/json' });
  });
  app.get('/fetch/v1/fortune', paid(), async function forwardFetch(c) {
    const res = await fetch(`http://${backend}/v1/fortune`, {
      headers: { authorization: c.req.header('authorization') ?? '' },
    });
    return c.body(await res.text(), res.status as 200, { 'content-type': 'application/json' });
  });
  app.get('/local/v1/fortune', paid(), (c) =>
    c.json({ fortune: 'the hub always takes its fee', n: 0, scheme: 'L402' }),
  );
  const ours = await listen(app.fetch);
  cleanup.push(() => ours.close());
  const aperture = await startAperture({
    binary: (await ensureBinaries([APERTURE], { clock })).aperture!,
    lnd: nodeByName(net, 'seller-1'),
    lndGrpc: await lndGrpcHost(stateDir, 'seller-1'),
    backend,
    service: 'fortune',
    priceSat: 10,
    // Our paywall logs nothing per request; Aperture at its default level logs every one.
    debugLevel: 'error',
  });
  cleanup.push(() => aperture.stop());

  // 1. Latency, interleaved round by round so load on the shared machine hits every kind alike.
  const fresh = () => createL402Client({ node: buyer, fetch, clock });
  const samples = {
    ours: [] as number[],
    aperture: [] as number[],
    pay: [] as number[],
    rtt: [] as number[],
  };
  const steps = { quote: [] as number[], pay: [] as number[], consume: [] as number[] };
  const warmup = 3;
  for (let i = 0; i < (PART === 'throughput' ? 0 : N + warmup); i++) {
    const keep = i >= warmup;
    const [a, ta] = await timed(() => fresh().purchase(`${ours.url}/v1/data`));
    if (a.outcome !== 'success') throw new Error(`purchase failed: ${a.outcome} ${a.reason ?? ''}`);
    const [b, tb] = await timed(() => fresh().purchase(`${aperture.url}/v1/fortune`));
    if (b.outcome !== 'success')
      throw new Error(`purchase through Aperture failed: ${b.outcome} ${b.reason ?? ''}`);
    const inv = await seller.createInvoice({ amountMsat: 2_000 });
    const [p, tp] = await timed(() => buyer.pay(inv.paymentRequest));
    if (p.status !== 'succeeded') throw new Error(`bare payment failed: ${JSON.stringify(p.failure)}`);
    const [, r1] = await timed(async () => (await fetch(`${ours.url}/ping`)).json());
    const [, r2] = await timed(async () => (await fetch(`${ours.url}/ping`)).json());
    if (!keep) continue;
    samples.ours.push(ta);
    samples.aperture.push(tb);
    samples.pay.push(tp);
    samples.rtt.push(r1, r2);
    steps.quote.push(a.timings.quoteMs ?? 0);
    steps.pay.push(a.timings.payMs ?? 0);
    steps.consume.push(a.timings.consumeMs ?? 0);
  }
  if (PART !== 'throughput') latencyTable(samples, steps);
  if (PART !== 'latency') await throughput(ours.url, aperture.url, backend, fresh);
}

/** Prints the latency table: each quantile of each kind, over the same quantile of the floor. */
function latencyTable(
  samples: Record<'ours' | 'aperture' | 'pay' | 'rtt', number[]>,
  steps: Record<'quote' | 'pay' | 'consume', number[]>,
): void {
  const rows = [0.5, 0.95].map((q) => {
    const floor = quantile(samples.pay, q) + 2 * quantile(samples.rtt, q);
    return {
      quantile: q === 0.5 ? 'median' : 'p95',
      'purchase, our paywall (ms)': quantile(samples.ours, q).toFixed(1),
      'purchase, Aperture (ms)': quantile(samples.aperture, q).toFixed(1),
      'bare LND pay (ms)': quantile(samples.pay, q).toFixed(1),
      'HTTP round trip (ms)': quantile(samples.rtt, q).toFixed(2),
      '× floor, ours': (quantile(samples.ours, q) / floor).toFixed(2),
      '× floor, Aperture': (quantile(samples.aperture, q) / floor).toFixed(2),
    };
  });
  console.log(
    `\n## purchase latency on real LND (${N} of each, interleaved; floor = bare pay + 2 round trips)`,
  );
  console.table(rows);
  console.log(
    `our purchase, median steps: quote ${quantile(steps.quote, 0.5).toFixed(1)} ms ` +
      `(probe + invoice decode/verify), pay ${quantile(steps.pay, 0.5).toFixed(1)} ms, ` +
      `authorized retry ${quantile(steps.consume, 0.5).toFixed(1)} ms`,
  );
}

/** Authorized requests/s: one paid token per front, then load from a separate process, interleaved rounds. */
async function throughput(
  ours: string,
  aperture: string,
  backend: string,
  fresh: () => ReturnType<typeof createL402Client>,
): Promise<void> {
  const tokenFor = async (url: string): Promise<string> => {
    const c = fresh();
    const r = await c.purchase(url);
    if (r.outcome !== 'success') throw new Error(`buying a token at ${url}: ${r.outcome} ${r.reason ?? ''}`);
    const t = c.tokens.list()[0]!;
    return formatAuthorization({ macaroon: t.macaroon, preimage: t.preimage! });
  };
  const cases: [string, string, string][] = [
    ['backend alone (no proxy)', `http://${backend}/v1/fortune`, ''],
    ['Aperture v0.5.0', `${aperture}/v1/fortune`, await tokenFor(`${aperture}/v1/fortune`)],
    ['our paywall, proxy (undici Pool)', `${ours}/v1/fortune`, await tokenFor(`${ours}/v1/fortune`)],
    ['our paywall, proxy (fetch)', `${ours}/fetch/v1/fortune`, await tokenFor(`${ours}/fetch/v1/fortune`)],
    [
      'our paywall, in-process handler',
      `${ours}/local/v1/fortune`,
      await tokenFor(`${ours}/local/v1/fortune`),
    ],
  ];
  const best = new Map<string, Measurement>();
  for (let round = 0; round < 3; round++) {
    for (const [name, url, authorization] of cases) {
      const p = child('load-child.ts', [url, authorization, String(CONNECTIONS), String(LOAD_MS)]);
      const r = JSON.parse(await output(p)) as { ok: number; bad: number; statuses: object; ms: number };
      if (r.bad > 0)
        throw new Error(`${name}: ${r.bad} requests were not 200: ${JSON.stringify(r.statuses)}`);
      const m = { name, ops: r.ok, ms: r.ms, opsPerSec: (r.ok / r.ms) * 1000 };
      if ((best.get(name)?.opsPerSec ?? 0) < m.opsPerSec) best.set(name, m);
    }
  }
  report(
    `authorized requests/s, ${CONNECTIONS} keep-alive connections from another process, best of 3 interleaved rounds of ${LOAD_MS} ms`,
    cases.map(([name]) => best.get(name)!),
    'Aperture v0.5.0',
  );
}

try {
  await main();
} finally {
  for (const fn of cleanup.reverse())
    await fn().catch((err: unknown) => log.warn({ err: String(err) }, 'cleanup'));
}
