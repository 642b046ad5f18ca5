/**
 * Real-network figures, measured side by side in one run on a native regtest
 * network (`npm run bench -- regtest`). Our paywall and Aperture v0.5.0 are
 * compared like with like: both are reverse proxies in front of the same
 * backend process, both charge 10 sat, both are driven by the same client
 * (latency) or the same load generator (throughput), interleaved.
 *
 * 1. Purchase latency (probe → 402 → invoice checks → LND payment over two
 *    hops → authorized retry through the proxy), per sample divided by what
 *    that sample's purchase cannot avoid: a bare LND payment of a fresh 10-sat
 *    invoice over the same two hops plus two loopback HTTP round trips,
 *    measured right after it. The floor is computed per sample; its spread
 *    and the per-sample ratios are what the table shows.
 * 2. Authorized requests/s through each proxy, load from another process,
 *    interleaved rounds.
 *
 * Reuses a running native network (`REGTEST_NETWORK`, default
 * .regtest/network.json) or brings one up for the run. `BENCH_N` purchases
 * per kind (default 40), `BENCH_ROUNDS` load rounds (default 5), `BENCH_MS`
 * per load round (default 3000), `BENCH_CONNECTIONS` (default 16).
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
import { ensureBinaries } from '../../infra/regtest/binaries.js';
import { APERTURE, REGTEST_TARGETS } from '../../infra/regtest/go-targets.js';
import { loadNetwork, nodeByName, type NetworkDesc } from '../../infra/regtest/network-file.js';
import { acquireSharedNetwork } from '../../infra/regtest/shared-network.js';
import { processStatus } from '../../infra/regtest/state.js';
import { systemClock } from '../../infra/time/clock.js';
import { listen } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { lndGrpcHost, startAperture } from '../regtest/support/aperture.js';
import { settledLoad, spread, writeResults, type Table } from './harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SUPPORT = join(ROOT, 'test', 'regtest', 'support');
const N = Number(process.env.BENCH_N ?? 40);
const LOAD_MS = Number(process.env.BENCH_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PRICE_MSAT = 10_000;
const load = await settledLoad();
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

  // Our side: the paywall as a reverse proxy in front of the backend, at Aperture's price, forwarding with a
  // keep-alive connection pool (as Go's http.Transport does for Aperture) or with fetch(); and a ping route
  // for the round trips of the floor.
  const app = new Hono();
  const paid = () => l402Paywall({ node: seller, minter, clock, service: 'fortune', price: PRICE_MSAT });
  const pool = new Pool(`http://${backend}`, { connections: 2 * CONNECTIONS });
  cleanup.push(() => pool.close());
  app.get('/ping', (c) => c.json({ pong: true }));
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
  const ours = await listen(app.fetch);
  cleanup.push(() => ours.close());
  const aperture = await startAperture({
    binary: (await ensureBinaries([APERTURE], { clock })).aperture!,
    lnd: nodeByName(net, 'seller-1'),
    lndGrpc: await lndGrpcHost(stateDir, 'seller-1'),
    backend,
    service: 'fortune',
    priceSat: PRICE_MSAT / 1000,
    // Our paywall logs nothing per request; Aperture at its default level logs every one.
    debugLevel: 'error',
  });
  cleanup.push(() => aperture.stop());
  const fresh = () => createL402Client({ node: buyer, fetch, clock });
  const latency = await latencyTable(`${ours.url}/v1/fortune`, `${aperture.url}/v1/fortune`, ours.url, {
    seller,
    buyer,
    fresh,
  });
  const rps = await throughput(ours.url, aperture.url, backend, fresh);
  writeResults(
    {
      bench: 'regtest',
      command: 'npm run bench -- regtest',
      settings: {
        'purchases per kind': N,
        'load rounds': ROUNDS,
        'ms per load round': LOAD_MS,
        connections: CONNECTIONS,
        price: `${PRICE_MSAT / 1000} sat`,
        network: how,
      },
      tables: [latency.table, rps],
      notes: latency.notes,
    },
    load,
  );
}

const OURS = 'purchase through our paywall (proxy, undici Pool)';
const APERTURE_ROW = 'purchase through Aperture v0.5.0';
const FLOOR = 'floor: bare LND pay + 2 HTTP round trips, per sample';

/** Purchase latency, one of each kind per round, and each round's own floor. */
async function latencyTable(
  oursUrl: string,
  apertureUrl: string,
  base: string,
  {
    seller,
    buyer,
    fresh,
  }: { seller: LndNode; buyer: LndNode; fresh: () => ReturnType<typeof createL402Client> },
): Promise<{ table: Table; notes: string[] }> {
  const s = { ours: [] as number[], aperture: [] as number[], pay: [] as number[], rtt: [] as number[] };
  const steps = { quote: [] as number[], pay: [] as number[], consume: [] as number[] };
  const warmup = 3;
  for (let i = 0; i < N + warmup; i++) {
    // Alternate which proxy goes first, so neither always meets the network right after the other.
    const order = i % 2 ? [apertureUrl, oursUrl] : [oursUrl, apertureUrl];
    const took = new Map<string, number>();
    for (const url of order) {
      const [r, t] = await timed(() => fresh().purchase(url));
      if (r.outcome !== 'success')
        throw new Error(`purchase at ${url} failed: ${r.outcome} ${r.reason ?? ''}`);
      await r.response?.arrayBuffer();
      took.set(url, t);
      if (url === oursUrl && i >= warmup) {
        steps.quote.push(r.timings.quoteMs ?? 0);
        steps.pay.push(r.timings.payMs ?? 0);
        steps.consume.push(r.timings.consumeMs ?? 0);
      }
    }
    const inv = await seller.createInvoice({ amountMsat: PRICE_MSAT });
    const [p, tp] = await timed(() => buyer.pay(inv.paymentRequest));
    if (p.status !== 'succeeded') throw new Error(`bare payment failed: ${JSON.stringify(p.failure)}`);
    const [, r1] = await timed(async () => (await fetch(`${base}/ping`)).json());
    const [, r2] = await timed(async () => (await fetch(`${base}/ping`)).json());
    if (i < warmup) continue;
    s.ours.push(took.get(oursUrl)!);
    s.aperture.push(took.get(apertureUrl)!);
    s.pay.push(tp);
    s.rtt.push(r1 + r2);
  }
  const floor = s.pay.map((p, i) => p + s.rtt[i]!);
  const median = (xs: number[]) => spread(xs).median;
  return {
    table: {
      id: 'latency',
      title: `Purchase latency on real LND, buyer-1 → hub → seller-1, ${N} of each kind interleaved; each sample divided by its own floor`,
      unit: 'ms',
      higherIsBetter: false,
      baseline: FLOOR,
      rows: [
        { name: OURS, samples: s.ours },
        { name: APERTURE_ROW, samples: s.aperture },
        { name: FLOOR, samples: floor },
        { name: 'bare LND pay (10 sat, 2 hops)', samples: s.pay },
        { name: '2 loopback HTTP round trips', samples: s.rtt },
      ],
      compare: [[OURS, APERTURE_ROW]],
    },
    notes: [
      `Our purchase, median of each step: quote ${median(steps.quote).toFixed(1)} ms (probe + invoice decode/verify), ` +
        `pay ${median(steps.pay).toFixed(1)} ms, authorized retry through the proxy ${median(steps.consume).toFixed(1)} ms.`,
    ],
  };
}

/** Authorized requests/s: one paid token per front, then load from a separate process, interleaved rounds. */
async function throughput(
  ours: string,
  aperture: string,
  backend: string,
  fresh: () => ReturnType<typeof createL402Client>,
): Promise<Table> {
  const tokenFor = async (url: string): Promise<string> => {
    const c = fresh();
    const r = await c.purchase(url);
    if (r.outcome !== 'success') throw new Error(`buying a token at ${url}: ${r.outcome} ${r.reason ?? ''}`);
    const t = c.tokens.list()[0]!;
    return formatAuthorization({ macaroon: t.macaroon, preimage: t.preimage! });
  };
  const APERTURE_RPS = 'Aperture v0.5.0 (proxy)';
  const POOL = 'our paywall (proxy, undici Pool)';
  const cases: [string, string, string][] = [
    ['backend alone (no proxy)', `http://${backend}/v1/fortune`, ''],
    [APERTURE_RPS, `${aperture}/v1/fortune`, await tokenFor(`${aperture}/v1/fortune`)],
    [POOL, `${ours}/v1/fortune`, await tokenFor(`${ours}/v1/fortune`)],
    ['our paywall (proxy, fetch)', `${ours}/fetch/v1/fortune`, await tokenFor(`${ours}/fetch/v1/fortune`)],
  ];
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < cases.length; k++) {
      const [name, url, authorization] = cases[(k + round) % cases.length]!;
      const p = child('load-child.ts', [url, authorization, String(CONNECTIONS), String(LOAD_MS)]);
      const r = JSON.parse(await output(p)) as { ok: number; bad: number; statuses: object; ms: number };
      if (r.bad > 0)
        throw new Error(`${name}: ${r.bad} requests were not 200: ${JSON.stringify(r.statuses)}`);
      samples.get(name)!.push((r.ok / r.ms) * 1000);
    }
  }
  return {
    id: 'throughput',
    title: `Authorized requests/s, ${CONNECTIONS} keep-alive connections from another process, same backend process behind each proxy, interleaved rounds`,
    unit: 'req/s',
    higherIsBetter: true,
    baseline: APERTURE_RPS,
    rows: cases.map(([name]) => ({ name, samples: samples.get(name)! })),
    compare: [[POOL, APERTURE_RPS]],
  };
}

try {
  await main();
} finally {
  for (const fn of cleanup.reverse())
    await fn().catch((err: unknown) => log.warn({ err: String(err) }, 'cleanup'));
}
