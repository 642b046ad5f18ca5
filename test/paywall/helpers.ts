import { createHash } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { l402Paywall, type L402PaywallOptions, type L402Variables } from '../../services/paywall/index.js';
import type { Minter } from '../../infra/l402/index.js';
import {
  MemoryRootKeyStore,
  createMinter,
  formatAuthorization,
  parseChallenges,
} from '../../infra/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { SimNetwork, zeroLatency } from '../../infra/lightning/simnet/index.js';
import type { SimNode } from '../../infra/lightning/simnet/index.js';
import type { LatencyModel } from '../../infra/lightning/simnet/index.js';
import type { Rng } from '../../infra/random.js';
import { createRng, insecureSeededSecrets } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

/** A small embedded market: one seller, two buyers with channels to it, a virtual clock, a minter. */
export interface World {
  clock: VirtualClock;
  rng: Rng;
  net: SimNetwork;
  seller: SimNode;
  buyer: SimNode;
  other: SimNode;
  minter: Minter;
  rootKeys: MemoryRootKeyStore;
}

/** Builds the world from a fixed seed (same seed, same keys, same invoices). */
export function makeWorld({
  seed = 1,
  latency = zeroLatency(),
}: { seed?: number; latency?: LatencyModel } = {}): World {
  const clock = new VirtualClock();
  const rng = createRng(seed);
  // Tests repeat exactly: keys and preimages from the seed, said out loud.
  const net = new SimNetwork({
    clock,
    rng: rng.fork('net'),
    secrets: insecureSeededSecrets(rng.fork('net')),
    latency,
  });
  const seller = net.addNode({ alias: 'seller' });
  const buyer = net.addNode({ alias: 'buyer' });
  const other = net.addNode({ alias: 'other' });
  net.openChannel(buyer, seller, { capacityMsat: 100_000_000 });
  net.openChannel(other, seller, { capacityMsat: 100_000_000 });
  const rootKeys = new MemoryRootKeyStore();
  const keys = insecureSeededSecrets(rng.fork('keys'));
  const minter = createMinter({ rootKeys, randomBytes: (n) => keys.bytes(n) });
  return { clock, rng, net, seller, buyer, other, minter, rootKeys };
}

/** A fetch-like function: Hono's in-memory `app.request`, or real `fetch` against a socket. */
export type Fetcher = (path: string, init?: RequestInit) => Promise<Response>;

/** In-memory fetcher over a Hono app. */
export const inMemory =
  (app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }): Fetcher =>
  (path, init) =>
    Promise.resolve(app.request(path, init));

/** A JSON response body, for assertions. */
export const json = async (res: Response): Promise<Record<string, unknown>> =>
  (await res.json()) as Record<string, unknown>;

/** Reads the one L402 challenge of a 402 response. */
export function challengeOf(res: Response): { macaroon: string; invoice: string } {
  const header = res.headers.get('www-authenticate');
  if (!header) throw new Error(`expected a WWW-Authenticate header on a ${res.status}`);
  return parseChallenges(header)[0]!;
}

/** Pays an invoice from `payer`, running the virtual clock until the payment resolves. */
export async function payInvoice(w: World, payer: SimNode, invoice: string): Promise<string> {
  const pending = payer.pay(invoice);
  await w.clock.runUntilIdle();
  const p = await pending;
  if (p.status !== 'succeeded' || !p.preimage)
    throw new Error(`payment failed: ${p.failure?.reason} ${p.failure?.message}`);
  return p.preimage;
}

/**
 * The L402 dance a buyer does (the real client lives in agents/): request,
 * read the 402 challenge, pay, retry with `Authorization`. Returns the
 * authorization to reuse and the paid response.
 */
export async function buy(
  w: World,
  fetcher: Fetcher,
  path: string,
  { payer = w.buyer, init = {} }: { payer?: SimNode; init?: RequestInit } = {},
): Promise<{ authorization: string; res: Response; challenge: { macaroon: string; invoice: string } }> {
  const first = await fetcher(path, init);
  if (first.status !== 402) throw new Error(`expected 402, got ${first.status}: ${await first.text()}`);
  const challenge = challengeOf(first);
  const preimage = await payInvoice(w, payer, challenge.invoice);
  const authorization = formatAuthorization({ macaroon: challenge.macaroon, preimage });
  const res = await fetcher(path, { ...init, headers: { ...(init.headers as object), authorization } });
  return { authorization, res, challenge };
}

/** sha256 of hex bytes, hex. */
export const sha256Hex = (hex: string): string =>
  createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');

/** A plain app with one paid route, for tests that only vary the paywall. */
export function appWith(paywall: MiddlewareHandler<{ Variables: L402Variables }>, path = '/v1/data') {
  const app = new Hono<{ Variables: L402Variables }>();
  app.get(path, paywall, (c) => c.json({ ok: true, data: 42 }));
  return app;
}

/** A pay-on-success buyer's secret (fixed, so runs repeat) and its lock, hex. */
export const PAYER = { key: 'ab'.repeat(32), lock: sha256Hex('ab'.repeat(32)) };

/** Headers asking for a hold invoice, locked with `PAYER`. */
export const HOLD_REQUEST = { 'L402-Pay-On-Success': '1', 'L402-Payer-Lock': PAYER.lock };

/** Headers of the pay-on-success retry for `macaroon`, with `PAYER`'s key. */
export const holdRetryHeaders = (macaroon: string, key = PAYER.key) => ({
  authorization: `L402 ${macaroon}:`,
  'L402-Payer-Key': key,
});

/** The price of `holdPaywall`'s route, msat. */
export const HOLD_PRICE = 7_000;

/** A pay-on-success paywall on the world's seller selling `compute` at `HOLD_PRICE`, preimages from the world's seed; `extra` adds options. */
export function holdPaywall(w: World, extra: Partial<L402PaywallOptions> = {}) {
  return l402Paywall({
    ...w,
    node: w.seller,
    service: 'compute',
    price: HOLD_PRICE,
    payOnSuccess: true,
    secrets: insecureSeededSecrets(w.rng.fork('preimages')),
    ...extra,
  });
}

/**
 * `node` as a backend that pushes no invoice events (`onInvoice` hears nothing): what the paywall
 * learns of an invoice, it learns by looking it up.
 */
export function eventlessNode(node: LightningNode): LightningNode {
  return new Proxy(node, {
    get(target, prop, receiver) {
      if (prop === 'onInvoice') return () => () => undefined;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** Asks `app`'s /v1/job for a hold invoice and pays it without retrying; returns once the HTLC is held. */
export async function payAndWalkAway(w: World, app: { request: Hono['request'] }) {
  const { macaroon, invoice } = challengeOf(await app.request('/v1/job', { headers: HOLD_REQUEST }));
  // Past the 60 s default pay timeout: a hold may wait for its invoice's expiry (600 s).
  const payment = w.buyer.pay(invoice, { timeoutMs: 700_000 });
  await w.clock.runUntilIdle(w.clock.now() + 1_000);
  return { macaroon, payment };
}
