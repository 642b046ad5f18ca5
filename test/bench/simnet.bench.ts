/**
 * Embedded Lightning network throughput, measured side by side in one run:
 * the signing floor (BOLT11 sign, and decode with key recovery, on WASM
 * libsecp256k1 vs pure-JS noble), then payments/s (create invoice + pay +
 * settle) over 2-hop and 6-hop routes of a 1,000-node graph, with and
 * without invoice signing, with and without virtual per-hop latency, and
 * with cold routing (every payment of its own amount, so the route cache,
 * keyed by payer, payee and amount, never hits and every payment runs
 * pathfinding; the row fails unless its cache hits are 0).
 *
 *   npm run bench -- simnet
 */
import { hex } from '@scure/base';
import {
  decodeInvoice,
  encodeInvoice,
  encodeUnsignedInvoice,
  type InvoiceFields,
} from '../../infra/lightning/bolt11.js';
import { nobleSecp, tinySecp } from '../../infra/lightning/secp.js';
import {
  lognormalLatency,
  Router,
  scaleFree,
  SimNetwork,
  zeroLatency,
  type LatencyModel,
  type SimNode,
} from '../../infra/lightning/simnet/index.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();

const NODES = 1_000;
const BATCH = 200; // concurrent payments per clock run: amortizes runUntilIdle's event-loop turns
const MIN_MS = Number(process.env.BENCH_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// ---- signing floor ----
const key = hex.decode('e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734');
const fields = (i: number): InvoiceFields => ({
  network: 'regtest',
  amountMsat: 10_000 + i,
  paymentHash: hex.encode(createRng(i).bytes(32)),
  paymentSecret: 'cd'.repeat(32),
  description: 'bench',
  timestampSec: 1_767_225_600,
});
// Inputs prepared up front, so each row times the BOLT11 work only.
const inputs = Array.from({ length: 256 }, (_, i) => fields(i));
const payee = tinySecp.publicKey(key);
const signed = inputs.map((f) => encodeInvoice(f, key));
const unsignedPr = inputs.map((f) => encodeUnsignedInvoice(f, payee));
const floorCases: Case[] = [
  { name: 'sign (tiny-secp256k1)', run: (i) => encodeInvoice(inputs[i & 255]!, key, tinySecp) },
  { name: 'sign (noble)', run: (i) => encodeInvoice(inputs[i & 255]!, key, nobleSecp) },
  {
    name: 'decode+recover (tiny-secp256k1)',
    run: (i) => decodeInvoice(signed[i & 255]!, { secp: tinySecp }),
  },
  { name: 'decode+recover (noble)', run: (i) => decodeInvoice(signed[i & 255]!, { secp: nobleSecp }) },
  { name: 'encode unsigned', run: (i) => encodeUnsignedInvoice(inputs[i & 255]!, payee) },
  {
    name: 'decode unsigned (n field)',
    run: (i) => decodeInvoice(unsignedPr[i & 255]!, { allowUnsigned: true }),
  },
];

// ---- payments on a 1,000-node graph ----
interface World {
  clock: VirtualClock;
  net: SimNetwork;
  nodes: SimNode[];
}

function world(signInvoices: boolean, latency: LatencyModel): World {
  const clock = new VirtualClock();
  const net = new SimNetwork({ clock, rng: createRng('bench'), signInvoices, latency });
  // m = 1 grows a tree: long paths exist, so 6-hop pairs can be found.
  const { nodes } = scaleFree(net, {
    size: NODES,
    m: 1,
    rng: createRng('bench/topology'),
    capacityMsat: 1_000_000_000_000, // 10 BTC: the bench measures speed, not liquidity
    baseFeeMsat: 1_000,
    feeRatePpm: 100,
  });
  return { clock, net, nodes };
}

/** Pairs (payer, payee) whose route has exactly `hops` channels. */
function pairsWithHops(w: World, hops: number, count: number): [SimNode, SimNode][] {
  const router = new Router(w.net.graph);
  const rng = createRng(`pairs/${hops}`);
  const out: [SimNode, SimNode][] = [];
  for (let tries = 0; out.length < count && tries < 200_000; tries++) {
    const a = w.nodes[rng.int(NODES)]!;
    const b = w.nodes[rng.int(NODES)]!;
    if (a === b) continue;
    const r = router.findRoute({
      source: a.index,
      target: b.index,
      amountMsat: 10_000,
      maxFeeMsat: 1_000_000,
      finalCltv: 80,
      now: w.clock.now(),
      kind: 'lnd',
    });
    if (r?.edges.length === hops) out.push([a, b]);
  }
  if (out.length < count) throw new Error(`found only ${out.length} pairs ${hops} hops apart`);
  return out;
}

function payments(
  name: string,
  {
    hops,
    signInvoices,
    latency,
    pairs: pairCount,
    cold = false,
  }: { hops: number; signInvoices: boolean; latency: LatencyModel; pairs: number; cold?: boolean },
): Case & { check(): string } {
  const w = world(signInvoices, latency);
  const pairs = pairsWithHops(w, hops, pairCount);
  let failed = 0;
  let n = 0;
  const run = async () => {
    const batch: Promise<unknown>[] = [];
    for (let j = 0; j < BATCH; j++) {
      // Alternate directions so channels do not drift one way.
      const [a, b] = pairs[n % pairs.length]!;
      const [payer, payee] = (n >> 1) & 1 ? [b, a] : [a, b];
      // Cold: an amount never paid before, so no (payer, payee, amount) route is cached.
      const amountMsat = cold ? 10_000 + n : 10_000;
      n++;
      batch.push(
        payee.createInvoice({ amountMsat }).then(async (inv) => {
          const p = await payer.pay(inv.paymentRequest, { maxFeeMsat: 1_000_000 });
          if (p.status !== 'succeeded' || p.hops !== hops) failed++;
        }),
      );
    }
    await w.clock.runUntilIdle();
    await Promise.all(batch);
    w.net.pruneExpired();
  };
  const check = () => {
    if (failed) throw new Error(`${name}: ${failed} payments failed or took another route`);
    if (!w.net.audit().ok) throw new Error(`${name}: conservation violated`);
    const s = w.net.routeCacheStats();
    if (cold && s.hits > 0) throw new Error(`${name}: ${s.hits} route-cache hits, so routing was not cold`);
    return `${name}: ${n.toLocaleString('en-US')} payments, route cache hits ${((s.hits / Math.max(1, s.hits + s.misses)) * 100).toFixed(0)}%`;
  };
  return { name, run, perCall: BATCH, warmup: 2, check };
}

const COLD = '6 hops, unsigned, cold routing';
const zero = zeroLatency();
const lognormal = lognormalLatency(40, 0.5);
const paymentCases = [
  payments('2 hops, signed', { hops: 2, signInvoices: true, latency: zero, pairs: 20 }),
  payments('2 hops, unsigned', { hops: 2, signInvoices: false, latency: zero, pairs: 20 }),
  payments('6 hops, signed', { hops: 6, signInvoices: true, latency: zero, pairs: 20 }),
  payments('6 hops, unsigned', { hops: 6, signInvoices: false, latency: zero, pairs: 20 }),
  payments('6 hops, unsigned, 40 ms lognormal hops', {
    hops: 6,
    signInvoices: false,
    latency: lognormal,
    pairs: 20,
  }),
  payments(COLD, { hops: 6, signInvoices: false, latency: zero, pairs: 5_000, cold: true }),
];

// One interleaved run over everything, so every ratio below compares figures measured side by side.
const all = await interleave([...floorCases, ...paymentCases], { rounds: ROUNDS, minMs: MIN_MS });
const floor = all.slice(0, floorCases.length);
const rows = all.slice(floorCases.length);
const SIGN = 'sign (tiny-secp256k1)';
writeResults(
  {
    bench: 'simnet',
    command: 'npm run bench -- simnet',
    settings: {
      rounds: ROUNDS,
      'ms per row per round': MIN_MS,
      nodes: NODES,
      'payments per clock run': BATCH,
    },
    tables: [
      {
        id: 'bolt11',
        title: 'BOLT11 operations per second per invoice, interleaved rounds',
        unit: 'ops/s',
        higherIsBetter: true,
        baseline: SIGN,
        rows: floor,
        compare: [['sign (noble)', SIGN]],
      },
      {
        id: 'payments',
        title: `Payments per second on a ${NODES.toLocaleString('en-US')}-node scale-free graph (${BATCH} concurrent per clock run; invoice, routing, HTLCs, settlement), against one BOLT11 signature, interleaved with the rows above`,
        unit: 'ops/s',
        higherIsBetter: true,
        baseline: SIGN,
        rows: [floor[0]!, ...rows],
        compare: [
          ['6 hops, unsigned', '2 hops, unsigned'],
          ['6 hops, signed', '2 hops, signed'],
          [COLD, '6 hops, unsigned'],
          ['6 hops, unsigned, 40 ms lognormal hops', '6 hops, unsigned'],
        ],
      },
    ],
    notes: paymentCases.map((c) => c.check()),
  },
  load,
);
