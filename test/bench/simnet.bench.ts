/**
 * Embedded Lightning network throughput, measured side by side in one run:
 * the signing floor (BOLT11 sign, and decode with key recovery, on WASM
 * libsecp256k1 vs pure-JS noble), then payments/s (create invoice + pay +
 * settle) over 2-hop and 6-hop routes of a 1,000-node graph, with and
 * without invoice signing, with and without virtual per-hop latency, and
 * with cold routing (a fresh payer/payee pair each time, so no cached route).
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
import { measure, report, type Measurement } from './harness.js';

const NODES = 1_000;
const BATCH = 200; // concurrent payments per clock run: amortizes runUntilIdle's event-loop turns
const MIN_MS = Number(process.env.BENCH_MS ?? 1500);
const ROUNDS = 5;

interface Case {
  name: string;
  run: (i: number) => unknown;
  /** Operations one call of `run` performs (a batch of payments counts each payment). */
  perCall?: number;
}

/**
 * Measures every case in turn, ROUNDS times, and sums: the machine is shared,
 * so interleaving keeps a load spike from landing on one row only.
 */
async function roundRobin(cases: Case[]): Promise<Measurement[]> {
  const total = new Map<string, { ops: number; ms: number }>();
  for (const c of cases) await measure(c.name, c.run, { minMs: 1, warmup: 2 });
  for (let r = 0; r < ROUNDS; r++)
    for (const c of cases) {
      const m = await measure(c.name, c.run, { minMs: MIN_MS / ROUNDS, warmup: 0 });
      const t = total.get(c.name) ?? { ops: 0, ms: 0 };
      t.ops += m.ops * (c.perCall ?? 1);
      t.ms += m.ms;
      total.set(c.name, t);
    }
  return cases.map((c) => {
    const t = total.get(c.name)!;
    return { name: c.name, ops: t.ops, ms: t.ms, opsPerSec: (t.ops / t.ms) * 1000 };
  });
}

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
  }: { hops: number; signInvoices: boolean; latency: LatencyModel; pairs: number },
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
      n++;
      batch.push(
        payee.createInvoice({ amountMsat: 10_000 }).then(async (inv) => {
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
    return `${name}: ${n.toLocaleString('en-US')} payments, route cache hits ${((s.hits / Math.max(1, s.hits + s.misses)) * 100).toFixed(0)}%`;
  };
  return { name, run, perCall: BATCH, check };
}

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
  payments('6 hops, unsigned, cold routing', { hops: 6, signInvoices: false, latency: zero, pairs: 5_000 }),
];

// One interleaved run over everything, so every ratio below compares figures measured side by side.
const all = await roundRobin([...floorCases, ...paymentCases]);
const floor = all.slice(0, floorCases.length);
const rows = all.slice(floorCases.length);
report('BOLT11 per invoice', floor, 'sign (tiny-secp256k1)');
report(
  `payments/s on a ${NODES.toLocaleString('en-US')}-node graph (${BATCH} concurrent per clock run)`,
  [floor[0]!, ...rows],
  floor[0]!.name,
);
for (const c of paymentCases) console.log(c.check());
console.log(
  `\nsigning floor: one signature costs ${(1e6 / floor[0]!.opsPerSec).toFixed(1)} µs; ` +
    `a signed 2-hop payment runs at ${((rows[0]!.opsPerSec / floor[0]!.opsPerSec) * 100).toFixed(0)}% of the pure signing rate, ` +
    `an unsigned one at ${(rows[1]!.opsPerSec / floor[0]!.opsPerSec).toFixed(1)}× it.`,
);
