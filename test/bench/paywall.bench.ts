/**
 * What the L402 paywall costs per request, against the same Hono handler
 * without it, in one run: authorized calls (verify + quota count) and
 * challenges (invoice on the embedded node + mint). Every call's status is
 * checked (200 authorized, 402 challenged), so a refusal fails the bench
 * instead of counting as a request. `npm run bench -- paywall`.
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
import { expectStatus } from './expect.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();

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
/** A row's call: `path` on `on`, with `authorization` if given, answered with `status`. */
const req =
  (row: string, status: number, path: string, authorization?: string, on = app) =>
  async () =>
    expectStatus(
      row,
      await on.request(path, authorization ? { headers: { authorization } } : undefined),
      status,
    );

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MIN_MS = Number(process.env.BENCH_MS ?? 400);
const BARE = 'same handler, no paywall';
const PLAIN = 'authorized (verify)';
const STRICT = 'authorized, strict (settled cached after the first lookup)';
const QUOTA = 'authorized + max_calls quota + capability';
const CHALLENGE = 'challenge (signed invoice + mint)';
const UNSIGNED = 'challenge, unsigned simnet invoice';
const cases: Case[] = [
  { name: BARE, run: req(BARE, 200, '/plain') },
  { name: PLAIN, run: req(PLAIN, 200, '/paid', tokens.paid) },
  { name: QUOTA, run: req(QUOTA, 200, '/paid-quota', tokens.quota) },
  { name: STRICT, run: req(STRICT, 200, '/paid-strict', tokens.strict) },
  { name: CHALLENGE, run: req(CHALLENGE, 402, '/paid') },
  { name: UNSIGNED, run: req(UNSIGNED, 402, '/paid', undefined, unsigned.app) },
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
          [QUOTA, PLAIN],
          [UNSIGNED, CHALLENGE],
        ],
      },
    ],
  },
  load,
);
