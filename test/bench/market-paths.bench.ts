/**
 * The pieces of one market call at the sim bench market's size, each on its
 * own, in one interleaved run: pathfinding on that market's network shape (8
 * hubs in a mesh, 11,000 payers and payees on one hub each, a fresh pair per
 * route), a registry search for the 3 cheapest of 1,000 listings (it walks
 * the price index and stops at the third hit), the paywall's authorized call
 * on a held token (app.request, the same header every call, as a bundle's
 * nine reuses send it, each answer checked to be a 200), and the client's
 * held-token call (the engine's deliver stage: claim, send, read, classify).
 * Run: npm run bench -- market-paths   (BENCH_ROUNDS, BENCH_MS per row per round)
 */
import { createL402Client, prepareRequest } from '../../agents/l402/index.js';
import { Router, type RouteQuery } from '../../infra/lightning/simnet/router.js';
import { hubAndSpoke } from '../../infra/lightning/simnet/topology.js';
import { SimNetwork } from '../../infra/lightning/simnet/index.js';
import { createRng, insecureSeededSecrets } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { ListingTable } from '../../services/registry/listing-table.js';
import { searchListings } from '../../services/registry/search.js';
import type { Listing } from '../../services/registry/types.js';
import { makeMarket } from '../buyer/market.js';
import { expectStatus } from './expect.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_MS = Number(process.env.BENCH_MS ?? 300);
const HUBS = 8;
const SPOKES = 11_000;
const LISTINGS = 1_000;

// Pathfinding: the bench market's network shape, one route per call between two spokes drawn from a seeded stream.
const rng = createRng('bench-market-paths');
const clock = new VirtualClock();
const net = new SimNetwork({ clock, rng: rng.fork('net'), secrets: insecureSeededSecrets(rng.fork('net')) });
hubAndSpoke(net, {
  hubs: HUBS,
  spokes: SPOKES,
  capacityMsat: 10_000_000_000,
  baseFeeMsat: 1_000,
  feeRatePpm: 100,
});
const router = new Router(net.graph);
const pairs = rng.fork('pairs');
const route = (): RouteQuery => {
  const source = HUBS + pairs.int(SPOKES);
  const target = HUBS + ((source - HUBS + 1 + pairs.int(SPOKES - 1)) % SPOKES);
  const amountMsat = 2_000 + pairs.int(100_000);
  return { source, target, amountMsat, maxFeeMsat: 100_000, finalCltv: 40, now: 0, kind: 'lnd' };
};
if (!router.findRoute(route())) throw new Error('setup: no route between two spokes');

// Search: the bench market's listings (one capability, one price), the buyer's query.
const listings: Listing[] = Array.from({ length: LISTINGS }, (_, i) => ({
  id: i.toString(16).padStart(32, '0'),
  name: `feed-${i}`,
  url: `http://feed-${i}.sim/v1/data`,
  category: 'data',
  capabilities: ['anomalies:read'],
  tiers: [{ tier: 0, name: 'bundle', kind: 'bundle', priceMsat: 2_000 }],
  nodePubkey: '02'.padEnd(66, '0'),
  createdAt: 0,
  updatedAt: 0,
  signedAt: 0,
}));
const query = { capability: 'anomalies:read', sort: 'price', ties: 'id', limit: 3 } as const;
const table = ListingTable.of(listings);
if (searchListings(table, query).length !== 3) throw new Error('setup: search found no 3 listings');

// The held-token call: a real seller behind the real paywall, in memory, and a client holding its token.
const m = makeMarket({ seed: 11 });
const pass = m.addSeller({ name: 'pass', priceMsat: 1_000, maxCalls: 1_000_000_000 });
const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
const first = await client.purchase(pass.url);
if (first.outcome !== 'success') throw new Error(`setup purchase failed: ${first.outcome} ${first.reason}`);
const authorization = `L402 ${first.macaroon}:${first.preimage}`;
const req = await prepareRequest(pass.url);
const token = client.tokens.get(req.origin, req.path)!;

const ROUTE = `findRoute, ${HUBS} hubs and ${SPOKES.toLocaleString('en-US')} spokes, a fresh pair`;
const PAID = 'paywall authorized call, held token (app.request)';
const cases: Case[] = [
  { name: ROUTE, run: () => router.findRoute(route()), batch: 20 },
  {
    name: `search ${LISTINGS.toLocaleString('en-US')} listings (price index) for the 3 cheapest`,
    run: () => searchListings(table, query),
    batch: 20,
  },
  {
    name: PAID,
    run: async () =>
      expectStatus(PAID, await pass.app.request(pass.url, { headers: { authorization } }), 200).arrayBuffer(),
  },
  {
    name: 'client held-token call (engine.deliver: claim, send, read)',
    run: async () => {
      const d = await client.engine.deliver(req, token, { claim: true, step: 'reuse' });
      if (d.kind !== 'delivered') throw new Error(`held-token call not delivered: ${d.kind}`);
    },
  },
];
const rows = await interleave(cases, { rounds: ROUNDS, minMs: MIN_MS });
writeResults(
  {
    bench: 'market-paths',
    command: 'npm run bench -- market-paths',
    settings: {
      rounds: ROUNDS,
      'ms per row per round': MIN_MS,
      hubs: HUBS,
      spokes: SPOKES,
      listings: LISTINGS,
    },
    tables: [
      {
        id: 'pieces',
        title: 'Pieces of a market call at the sim bench market size, per second, interleaved rounds',
        unit: 'ops/s',
        higherIsBetter: true,
        rows,
      },
    ],
  },
  load,
);
