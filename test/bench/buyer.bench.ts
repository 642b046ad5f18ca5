/**
 * Buyer-side costs, measured side by side in one process on the embedded
 * network (zero hop latency, in-memory HTTP, real paywall, signed invoices):
 *   - a bare authorized call to the paywall (the floor a buyer cannot beat),
 *   - the L402 client reusing a token (its bookkeeping on top of that call),
 *   - the client buying a fresh single-call token every time (probe, decode +
 *     verify the invoice, policy, pay over one hop, retry),
 *   - one buyer-graph task that reuses a held token, and one that quotes three
 *     single-call sellers (three 402 probes) and buys from the cheapest
 *     (LangGraph's share, against the plain client),
 *   - a budget policy's authorize + settle, and the rule vs fakeModel LLM decider.
 * Rows run in interleaved rounds (min / median / max); each call's result is
 * checked, so a failure ends the bench instead of counting.
 * Run: npm run bench -- buyer   (BENCH_ROUNDS, BENCH_MS per row per round)
 */
import { AIMessage } from '@langchain/core/messages';
import { fakeModel } from '@langchain/core/testing';
import { createBuyerAgent, createDecider, type OfferTerms } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import { makeMarket } from '../buyer/market.js';
import { expectStatus } from './expect.js';
import { trivialGraph } from './trivial-graph.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_MS = Number(process.env.BENCH_MS ?? 1000);

// One market: three sellers with tokens of many calls, and three single-call sellers to buy from over and
// over (the graph quotes all three and buys from the cheapest).
const m = makeMarket({ seed: 11 });
const pass = m.addSeller({ name: 'pass', priceMsat: 1_000, maxCalls: 10_000_000 });
m.addSeller({ name: 'pass-b', priceMsat: 2_000, maxCalls: 10_000_000 });
m.addSeller({ name: 'pass-c', priceMsat: 3_000, maxCalls: 10_000_000 });
const single = m.addSeller({ name: 'single', priceMsat: 1_000, maxCalls: 1, category: 'single' });
m.addSeller({ name: 'single-b', priceMsat: 2_000, maxCalls: 1, category: 'single' });
m.addSeller({ name: 'single-c', priceMsat: 3_000, maxCalls: 1, category: 'single' });
const registry = await m.registry();
const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });

// The floor: the same paid call with a valid header, no client.
const first = await client.purchase(pass.url);
if (first.outcome !== 'success') throw new Error(`setup purchase failed: ${first.outcome} ${first.reason}`);
const authorization = `L402 ${first.macaroon}:${first.preimage}`;
// Warm both paths before measuring, so the first row is not the one paying for the JIT.
for (let i = 0; i < 500; i++) {
  await (await m.fetch(pass.url, { headers: { authorization } })).arrayBuffer();
  await (await client.purchase(pass.url)).response!.arrayBuffer();
}
const agent = (decider = createDecider('cheapest', { clock: m.clock })) =>
  createBuyerAgent({ name: 'bench', registry, client, decider, clock: m.clock });
const reuser = agent();
const buyerOfSingles = agent();
const singles = m.sellers.filter((s) => s.spec.category === 'single');
const challenges = (s: (typeof singles)[number]) => s.events.filter((e) => e.type === 'challenge').length;

// LangGraph's own floor on this machine, in this run: 7 trivial nodes in a line (the buyer's path for one bought call).
const trivial = trivialGraph(7);

const HAND = 'paywall call, header by hand';
const REUSED = 'client.purchase, token reused';
const TASK1 = 'graph task, 1 call on a held token';
const FLOOR7 = 'LangGraph floor: 7 trivial nodes';
const cases: Case[] = [
  {
    name: HAND,
    run: async () =>
      expectStatus(HAND, await m.fetch(pass.url, { headers: { authorization } }), 200).arrayBuffer(),
  },
  {
    name: REUSED,
    run: async () => {
      const r = await client.purchase(pass.url);
      if (r.outcome !== 'success' || !r.tokenReused)
        throw new Error(`${REUSED}: expected a call on the held token, got ${r.outcome}`);
      await r.response!.arrayBuffer();
    },
  },
  {
    name: 'client.purchase, fresh payment (probe, invoice checks, policy, pay 1 hop, retry)',
    run: async () => {
      const r = await client.purchase(single.url);
      if (r.outcome !== 'success' || r.tokenReused)
        throw new Error(`expected a paid purchase, got ${r.outcome}`);
      await r.response!.arrayBuffer();
    },
  },
  {
    name: TASK1,
    run: async () => {
      const r = await reuser.runTask({
        id: 'reuse',
        capability: 'data',
        category: 'data',
        valueMsat: 100_000,
        calls: 1,
      });
      if (!r.done) throw new Error(`task failed: ${r.stopReason}`);
    },
  },
  {
    name: 'graph task, 10 calls on a held token',
    run: async () => {
      const r = await reuser.runTask({
        id: 'reuse10',
        capability: 'data',
        category: 'data',
        valueMsat: 100_000,
        calls: 10,
      });
      if (!r.done || r.calls !== 10) throw new Error(`task failed: ${r.stopReason}`);
    },
  },
  {
    name: 'graph task, quote 3 sellers + buy 1 call from the cheapest',
    run: async () => {
      const before = singles.map(challenges);
      const served = single.served;
      const r = await buyerOfSingles.runTask({
        id: 'buy',
        capability: 'data',
        category: 'single',
        valueMsat: 100_000,
        calls: 1,
      });
      if (!r.done || r.spentMsat === 0) throw new Error(`task did not buy: ${r.stopReason}`);
      // The label's claim, checked on every run: each of the three sellers was probed, the cheapest served.
      const probed = singles.map((s, i) => challenges(s) - before[i]!);
      if (probed.some((n) => n < 1) || single.served !== served + 1)
        throw new Error(
          `expected a quote from each of 3 sellers and a call at the cheapest; challenges ${probed.join(',')}`,
        );
    },
  },
  { name: FLOOR7, run: () => trivial.invoke({ n: 0 }) },
];
const rows = await interleave(cases, { rounds: ROUNDS, minMs: MIN_MS });

// Hot mechanics without I/O.
const policy = createPolicy(
  {
    name: 'all_of',
    params: {
      policies: [
        { name: 'max_per_request', params: { maxMsat: 50_000 } },
        { name: 'budget_window', params: { limitMsat: Number.MAX_SAFE_INTEGER, window: 'day' } },
        { name: 'service_cap', params: { limits: { data: Number.MAX_SAFE_INTEGER } } },
      ],
    },
  },
  { clock: m.clock },
);
const quote = {
  amountMsat: 10_000,
  maxFeeMsat: 1_000,
  url: pass.url,
  host: pass.host,
  payee: pass.node.pubkey,
  service: 'data',
};
const listings = registry.search({ capability: 'data' });
const candidates: OfferTerms[] = listings.map((listing, i) => ({
  listing,
  priceMsat: 1_000 * (i + 1),
  source: 'challenge',
  covers: 1,
  valueMsat: 50_000,
}));
const task = { id: 't', capability: 'data', valueMsat: 50_000, calls: 1 };
const cheapest = createDecider('cheapest', { clock: m.clock });
const model = fakeModel();
const llm = createDecider('llm', { clock: m.clock, model });
const microCases: Case[] = [
  {
    name: 'policy all_of(3) authorize + settle',
    run: async () => {
      const d = await policy.authorize(quote, { nowMs: m.clock.now() });
      if (d.kind !== 'allow') throw new Error(`policy all_of(3): expected allow, got ${d.kind}`);
      policy.settle(d.reservation, 10_500);
    },
    batch: 100,
  },
  { name: 'decider: cheapest', run: () => cheapest.choose(candidates, task), batch: 100 },
  {
    name: 'decider: llm (fakeModel, no network)',
    run: () => {
      model.respond(
        new AIMessage({
          content: '',
          tool_calls: [{ name: 'choose_offer', args: { offerId: 'offer-2', reason: 'r' }, id: 'c' }],
        }),
      );
      return llm.choose(candidates, task);
    },
    batch: 10,
  },
];
const micro = await interleave(microCases, { rounds: ROUNDS, minMs: MIN_MS / 2 });
writeResults(
  {
    bench: 'buyer',
    command: 'npm run bench -- buyer',
    settings: {
      rounds: ROUNDS,
      'ms per row per round': MIN_MS,
      'ms per row per round, without I/O': MIN_MS / 2,
    },
    tables: [
      {
        id: 'calls',
        title:
          'One call, with and without paying: in-memory HTTP, embedded network, zero hop latency, interleaved rounds',
        unit: 'ops/s',
        higherIsBetter: true,
        baseline: HAND,
        rows,
        compare: [
          [REUSED, HAND],
          [TASK1, FLOOR7],
        ],
      },
      {
        id: 'mechanics',
        title: 'Buyer mechanics without I/O, interleaved rounds',
        unit: 'ops/s',
        higherIsBetter: true,
        baseline: 'decider: cheapest',
        rows: micro,
      },
    ],
  },
  load,
);
