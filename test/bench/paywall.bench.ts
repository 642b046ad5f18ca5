/**
 * What the L402 paywall costs per request, against the same Hono handler
 * without it, in one run: authorized calls (verify + quota count) and
 * challenges (invoice on the embedded node + mint). `npm run bench -- paywall`.
 */
import { Hono } from 'hono';
import {
  MemoryRootKeyStore,
  createMinter,
  formatAuthorization,
  parseChallenges,
} from '../../infra/l402/index.js';
import { SimNetwork, zeroLatency } from '../../infra/lightning/simnet/index.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { currentLoad, interleave, writeResults, type Case } from './harness.js';

const load = currentLoad();

async function setup(signInvoices: boolean) {
  const clock = new VirtualClock();
  const rng = createRng('bench');
  const net = new SimNetwork({ clock, rng: rng.fork('net'), latency: zeroLatency(), signInvoices });
  const seller = net.addNode({ alias: 'seller' });
  const buyer = net.addNode({ alias: 'buyer' });
  net.openChannel(buyer, seller, { capacityMsat: 1_000_000_000 });
  const keys = rng.fork('keys');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keys.bytes(n) });
  const handler = (c: { json: (v: unknown) => Response }) => c.json({ ok: true, data: 42 });
  const app = new Hono();
  app.get('/plain', handler);
  app.get('/paid', l402Paywall({ node: seller, minter, clock, service: 'bench', price: 1_000 }), handler);
  app.get(
    '/paid-quota',
    l402Paywall({
      node: seller,
      minter,
      clock,
      service: 'bench2',
      price: 1_000,
      maxCalls: 1_000_000_000,
      capability: 'read',
    }),
    handler,
  );
  app.get(
    '/paid-strict',
    l402Paywall({ node: seller, minter, clock, service: 'bench3', price: 1_000, strict: true }),
    handler,
  );
  const tokenFor = async (path: string) => {
    const ch = parseChallenges((await app.request(path)).headers.get('www-authenticate')!)[0]!;
    const paid = await buyer.pay(ch.invoice);
    return formatAuthorization({ macaroon: ch.macaroon, preimage: paid.preimage! });
  };
  return {
    app,
    tokens: {
      paid: await tokenFor('/paid'),
      quota: await tokenFor('/paid-quota'),
      strict: await tokenFor('/paid-strict'),
    },
  };
}

const signed = await setup(true);
const unsigned = await setup(false);
const { app, tokens } = signed;
const req = (path: string, authorization?: string) => () =>
  app.request(path, authorization ? { headers: { authorization } } : undefined);

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MIN_MS = Number(process.env.BENCH_MS ?? 400);
const BARE = 'same handler, no paywall';
const PLAIN = 'authorized (verify)';
const STRICT = 'authorized, strict (settled cached after the first lookup)';
const cases: Case[] = [
  { name: BARE, run: req('/plain') },
  { name: PLAIN, run: req('/paid', tokens.paid) },
  { name: 'authorized + max_calls quota + capability', run: req('/paid-quota', tokens.quota) },
  { name: STRICT, run: req('/paid-strict', tokens.strict) },
  { name: 'challenge (signed invoice + mint)', run: req('/paid') },
  { name: 'challenge, unsigned simnet invoice', run: () => unsigned.app.request('/paid') },
];
const rows = await interleave(cases, { rounds: ROUNDS, minMs: MIN_MS });
writeResults(
  {
    bench: 'paywall',
    command: 'npm run bench -- paywall',
    settings: { rounds: ROUNDS, 'ms per row per round': MIN_MS },
    tables: [
      {
        id: 'requests',
        title: 'Requests per second through app.request (in memory, embedded network), interleaved rounds',
        unit: 'req/s',
        higherIsBetter: true,
        baseline: BARE,
        rows,
        compare: [
          [STRICT, PLAIN],
          ['authorized + max_calls quota + capability', PLAIN],
          ['challenge, unsigned simnet invoice', 'challenge (signed invoice + mint)'],
        ],
      },
    ],
  },
  load,
);
