/**
 * A small embedded market for buyer tests: a buyer node and seller nodes
 * joined through a routing hub on the simnet, each seller a real Hono app
 * behind the real paywall, reached over in-memory HTTP by host name. Some
 * sellers cheat in the ways a buyer must catch before paying.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { createMinter, formatChallenge, MemoryRootKeyStore, type Minter } from '../../infra/l402/index.js';
import { encodeInvoice } from '../../infra/lightning/bolt11.js';
import {
  SimNetwork,
  zeroLatency,
  type LatencyModel,
  type SimNode,
} from '../../infra/lightning/simnet/index.js';
import { createRng, insecureSeededSecrets, type Rng } from '../../infra/random.js';
import { settle, VirtualClock } from '../../infra/time/virtual-clock.js';
import { l402Paywall, type NegotiationOptions, type PaywallEvent } from '../../services/paywall/index.js';
import { Registry } from '../../services/registry/registry.js';
import { nodeSigner, signListing } from '../../services/registry/signing.js';
import type { Listing, ListingFields } from '../../services/registry/types.js';
import { InMemoryHttp } from '../../sim/market/http.js';

/** How a test seller behaves. */
export type SellerMode =
  | 'honest'
  /** Invoices for three times the advertised price. */
  | 'overcharge'
  /** Invoices issued by another node than the advertised one. */
  | 'wrong-payee'
  /** Invoices that expire (1 s) before the slow answer (2 s) arrives. */
  | 'expired'
  /** A macaroon for one payment hash with an invoice for another. */
  | 'hash-mismatch'
  /** A mainnet invoice on a regtest market. */
  | 'wrong-network'
  /** Answers a bad credential with 401 (the spec) instead of a fresh 402. */
  | 'answers-401';

export interface SellerSpec {
  name: string;
  priceMsat: number;
  mode?: SellerMode;
  quality?: number;
  maxCalls?: number;
  tokenLifetimeSec?: number;
  capability?: string;
  category?: string;
  /** Paid route (default /v1/data). */
  path?: string;
  /** Offer hold invoices (pay-on-success). */
  payOnSuccess?: boolean;
  /** The handler answers 500 (after the paywall let the call through). */
  failing?: boolean;
  /** The handler runs (1-based, counting every run) answered 500, as `failing` answers all. */
  failOn?: number[];
  /** The paywall's `maxCallsGivenBack`: most calls a token's quota gets back on a 5xx. */
  maxCallsGivenBack?: number;
  /** Rewrites the paywall's `L402-Calls-Remaining` on every answer (null: none sent), as a lying seller does. */
  callsRemaining?: (paywalls: string | null) => string | null;
  /** The seller's time to quote: ms on the virtual clock before each 402. */
  quoteDelayMs?: number;
  /** Answer bids (price negotiation). */
  negotiation?: NegotiationOptions;
}

export interface TestSeller {
  spec: SellerSpec;
  host: string;
  url: string;
  node: SimNode;
  app: Hono;
  events: PaywallEvent[];
  rootKeys: MemoryRootKeyStore;
  minter: Minter;
  /** Calls the handler served. */
  served: number;
  /** Times the handler ran (served or failed). */
  runs: number;
  fields: ListingFields;
}

export interface Market {
  clock: VirtualClock;
  rng: Rng;
  net: SimNetwork;
  hub: SimNode;
  buyer: SimNode;
  mallory: SimNode;
  sellers: TestSeller[];
  apps: Map<string, Hono>;
  /** fetch over every app by host, in memory. */
  fetch: typeof fetch;
  addSeller(spec: SellerSpec): TestSeller;
  /** A registry holding a signed listing for every seller. */
  registry(): Promise<Registry>;
  /** Spendable balance of a node. */
  balance(node: SimNode): Promise<number>;
  /** Adds a node with a channel from the hub (for resellers, sub-agents). */
  addNode(alias: string, opts?: { fundMsat?: number; toHub?: boolean }): SimNode;
  /** Mounts an app under a host. */
  mount(host: string, app: Hono): void;
}

/** Builds a market with fixed seed and clock; sellers are added with `addSeller`. */
export function makeMarket({
  seed = 7,
  latency = zeroLatency(),
}: { seed?: number; latency?: LatencyModel } = {}): Market {
  const clock = new VirtualClock();
  const rng = createRng(seed);
  // Tests repeat exactly: node keys and preimages from the seed, said out loud.
  const net = new SimNetwork({
    clock,
    rng: rng.fork('net'),
    secrets: insecureSeededSecrets(rng.fork('net')),
    latency,
  });
  const hub = net.addNode({ alias: 'hub' });
  const apps = new Map<string, Hono>();
  // The embedded world's transport; a host mounted again is served by its latest app.
  const http = new InMemoryHttp();
  const mount = (host: string, app: Hono) => {
    if (!apps.has(host)) http.serve(host, (req) => apps.get(host)!.fetch(req));
    apps.set(host, app);
  };

  const addNode = (alias: string, { fundMsat = 50_000_000, toHub = false } = {}) => {
    const node = net.addNode({ alias });
    // Buyers fund a channel to the hub; sellers get one from the hub (inbound liquidity).
    if (toHub) net.openChannel(node, hub, { capacityMsat: fundMsat, baseFeeMsat: 0, feeRatePpm: 0 });
    else net.openChannel(hub, node, { capacityMsat: fundMsat, baseFeeMsat: 100, feeRatePpm: 1_000 });
    return node;
  };
  const buyer = addNode('buyer', { toHub: true });
  const mallory = addNode('mallory');
  const sellers: TestSeller[] = [];

  const market: Market = {
    clock,
    rng,
    net,
    hub,
    buyer,
    mallory,
    sellers,
    apps,
    fetch: http.fetch,
    addSeller: (spec) => {
      const s = buildSeller(market, spec, addNode(spec.name));
      sellers.push(s);
      mount(s.host, s.app);
      return s;
    },
    registry: async () => {
      const registry = await Registry.open({ clock, network: 'regtest' });
      for (const s of sellers) {
        const signed = await signListing(s.fields, await nodeSigner(s.node), clock.now());
        const r = await registry.register(signed);
        if (!r.ok) throw new Error(`registration of ${s.spec.name} failed: ${r.message}`);
      }
      return registry;
    },
    balance: async (node) => (await node.balances()).localMsat,
    addNode,
    mount,
  };
  return market;
}

function buildSeller(m: Market, spec: SellerSpec, node: SimNode): TestSeller {
  const { name, priceMsat, mode = 'honest', path = '/v1/data' } = spec;
  const host = `${name}.test`;
  const rootKeys = new MemoryRootKeyStore();
  const keyRng = m.rng.fork(`keys/${name}`);
  const minter = createMinter({ rootKeys, randomBytes: (n) => keyRng.bytes(n) });
  const events: PaywallEvent[] = [];
  const app = new Hono();
  const seller = { served: 0, runs: 0 } as TestSeller;
  const paywall = l402Paywall({
    node: mode === 'wrong-payee' ? m.mallory : node,
    minter,
    clock: m.clock,
    service: name,
    price: mode === 'overcharge' ? priceMsat * 3 : priceMsat,
    maxCalls: spec.maxCalls,
    tokenLifetimeSec: spec.tokenLifetimeSec,
    capability: spec.capability,
    invoiceExpirySec: mode === 'expired' ? 1 : 600,
    onEvent: (e) => events.push(e),
    ...(spec.quoteDelayMs !== undefined ? { quoteDelayMs: () => spec.quoteDelayMs! } : {}),
    ...(spec.negotiation ? { negotiation: spec.negotiation } : {}),
    ...(spec.maxCallsGivenBack !== undefined ? { maxCallsGivenBack: spec.maxCallsGivenBack } : {}),
    ...(spec.payOnSuccess ? { payOnSuccess: true, randomBytes: (n: number) => keyRng.bytes(n) } : {}),
  });
  const guards: MiddlewareHandler[] = [];
  if (mode === 'expired') {
    guards.push(async (_c, next) => {
      await next();
      await m.clock.sleep(2_000);
    });
  }
  const rewrite = spec.callsRemaining;
  if (rewrite) {
    guards.push(async (c, next) => {
      await next();
      const said = rewrite(c.res.headers.get('L402-Calls-Remaining'));
      if (said === null) c.res.headers.delete('L402-Calls-Remaining');
      else c.res.headers.set('L402-Calls-Remaining', said);
    });
  }
  if (mode === 'answers-401') {
    guards.push(async (c, next) => {
      await next();
      if (c.res.status === 402 && c.req.header('authorization')) {
        c.res = new Response(JSON.stringify({ error: 'unauthorized' }), { status: 401 });
      }
    });
  }
  if (mode === 'hash-mismatch' || mode === 'wrong-network') {
    guards.push(async (c, next) => {
      if (c.req.header('authorization')) return next();
      const inv = await node.createInvoice({ amountMsat: priceMsat });
      let invoice = inv.paymentRequest;
      let hash = inv.paymentHash;
      if (mode === 'hash-mismatch') hash = Buffer.from(keyRng.bytes(32)).toString('hex');
      else
        invoice = encodeInvoice(
          {
            network: 'mainnet',
            amountMsat: priceMsat,
            paymentHash: hash,
            description: name,
            timestampSec: Math.floor(m.clock.now() / 1000),
          },
          keyRng.bytes(32).map((b, i) => (i === 0 ? 1 : b)),
        );
      const minted = await minter.mint({ paymentHash: hash, caveats: [] });
      return c.json({ error: 'payment_required', reason: 'missing', priceMsat }, 402, {
        'WWW-Authenticate': formatChallenge({ macaroon: minted.token, invoice }),
      });
    });
  }
  const handler = (c: {
    req: { method: string; text(): Promise<string> };
    json: (v: unknown, status?: never) => Response;
  }) =>
    c.req.text().then((body) => {
      seller.runs++;
      if (spec.failing || spec.failOn?.includes(seller.runs))
        return c.json({ error: 'internal' }, 500 as never);
      seller.served++;
      return c.json({ seller: name, data: 42, method: c.req.method, body });
    });
  const chain = [...guards, paywall as MiddlewareHandler, handler as unknown as MiddlewareHandler];
  app.get(path, ...(chain as [MiddlewareHandler]));
  app.post(path, ...(chain as [MiddlewareHandler]));
  Object.assign(seller, {
    spec,
    host,
    url: `http://${host}${path}`,
    node,
    app,
    events,
    rootKeys,
    minter,
    fields: {
      name,
      url: `http://${host}${path}`,
      category: spec.category ?? 'data',
      capabilities: [spec.capability ?? 'data'],
      tiers: [
        {
          tier: 0,
          name: spec.maxCalls ? `${spec.maxCalls} calls` : 'single',
          kind: spec.tokenLifetimeSec ? 'pass' : spec.maxCalls && spec.maxCalls > 1 ? 'bundle' : 'single',
          ...(spec.maxCalls ? { calls: spec.maxCalls } : {}),
          ...(spec.tokenLifetimeSec ? { durationSec: spec.tokenLifetimeSec } : {}),
          priceMsat,
        },
      ],
      nodePubkey: node.pubkey,
      ...(spec.quality !== undefined ? { quality: spec.quality } : {}),
    } satisfies ListingFields,
  });
  return seller;
}

/** Wall time `drive` waits with no timer pending and no wake before it calls the promise stalled. */
const STALL_MS = 10_000;

/**
 * Runs the virtual clock until `p` settles (fails the test if it stalls with
 * nothing scheduled). With no timer pending, the promise may be waiting on
 * real I/O (a file store's reads and fsyncs): `drive` waits for it in wall
 * time, a millisecond at a time (virtual time does not move), and calls it
 * stalled after STALL_MS with no timer fired.
 */
export async function drive<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  let done = false;
  const tracked = p.finally(() => {
    done = true;
  });
  for (let idleSince = performance.now(); !done;) {
    if ((await clock.runUntilIdle()) > 0 || clock.pending > 0) idleSince = performance.now();
    await settle(5);
    if (done || clock.pending > 0) continue;
    if (performance.now() - idleSince > STALL_MS)
      throw new Error(`drive: the promise stalled with no timer pending for ${STALL_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return tracked;
}

/** The listing fields of a seller, typed for the buyer graph. */
export type { Listing };
