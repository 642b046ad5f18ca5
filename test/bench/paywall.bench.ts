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
import { measure, report, type Measurement } from './harness.js';

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

const cases: [string, () => unknown][] = [
  ['same handler, no paywall', req('/plain')],
  ['authorized (verify)', req('/paid', tokens.paid)],
  ['authorized + max_calls quota + capability', req('/paid-quota', tokens.quota)],
  ['authorized, strict (settled cached after first lookup)', req('/paid-strict', tokens.strict)],
  ['challenge (signed invoice + mint)', req('/paid')],
  ['challenge, unsigned simnet invoice', () => unsigned.app.request('/paid')],
];
// The machine is shared: interleave the cases over three rounds and keep each one's best round.
const best = new Map<string, Measurement>();
for (let round = 0; round < 3; round++) {
  for (const [name, fn] of cases) {
    const m = await measure(name, fn, { minMs: 500 });
    if ((best.get(name)?.opsPerSec ?? 0) < m.opsPerSec) best.set(name, m);
  }
}
report(
  'paywall: requests/s through app.request (best of 3 rounds), ratio to the bare handler',
  cases.map(([name]) => best.get(name)!),
  'same handler, no paywall',
);
