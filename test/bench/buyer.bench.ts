/**
 * Buyer-side costs, measured side by side in one process on the embedded
 * network (zero hop latency, in-memory HTTP, real paywall, signed invoices):
 *   - a bare authorized call to the paywall (the floor a buyer cannot beat),
 *   - the L402 client reusing a token (its bookkeeping on top of that call),
 *   - the client buying a fresh single-call token every time (probe, decode +
 *     verify the invoice, policy, pay over one hop, retry),
 *   - one buyer-graph task that reuses a held token, and one that quotes three
 *     sellers and buys (LangGraph's share, against the plain client),
 *   - a budget policy's authorize + settle, and the rule vs fakeModel LLM decider.
 * Run: npm run bench -- buyer
 */
import { AIMessage } from '@langchain/core/messages';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { fakeModel } from '@langchain/core/testing';
import { createBuyerAgent, createDecider, type Candidate } from '../../agents/buyer/index.js';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import { makeMarket } from '../buyer/market.js';
import { measure, report, type Measurement } from './harness.js';

const MIN_MS = Number(process.env.BENCH_MS ?? 1500);
const rows: Measurement[] = [];

// One market: three sellers with tokens of many calls, one single-call seller to buy from over and over.
const m = makeMarket({ seed: 'bench-buyer' as unknown as number });
const pass = m.addSeller({ name: 'pass', priceMsat: 1_000, maxCalls: 10_000_000 });
m.addSeller({ name: 'pass-b', priceMsat: 2_000, maxCalls: 10_000_000 });
m.addSeller({ name: 'pass-c', priceMsat: 3_000, maxCalls: 10_000_000 });
const single = m.addSeller({ name: 'single', priceMsat: 1_000, maxCalls: 1, category: 'single' });
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
rows.push(
  await measure(
    'paywall call, header by hand',
    async () => {
      const res = await m.fetch(pass.url, { headers: { authorization } });
      await res.arrayBuffer();
    },
    { minMs: MIN_MS },
  ),
);
rows.push(
  await measure(
    'client.purchase, token reused',
    async () => {
      const r = await client.purchase(pass.url);
      await r.response!.arrayBuffer();
    },
    { minMs: MIN_MS },
  ),
);
rows.push(
  await measure(
    'client.purchase, fresh payment',
    async () => {
      const r = await client.purchase(single.url);
      if (r.outcome !== 'success' || r.tokenReused)
        throw new Error(`expected a paid purchase, got ${r.outcome}`);
      await r.response!.arrayBuffer();
    },
    { minMs: MIN_MS, warmup: 20 },
  ),
);

const agent = (decider = createDecider('cheapest', { clock: m.clock })) =>
  createBuyerAgent({ name: 'bench', registry, client, decider, clock: m.clock });
const reuser = agent();
rows.push(
  await measure(
    'graph task, 1 call on a held token',
    async () => {
      const r = await reuser.runTask({
        id: 'reuse',
        capability: 'data',
        category: 'data',
        valueMsat: 100_000,
        calls: 1,
      });
      if (!r.done) throw new Error(`task failed: ${r.stopReason}`);
    },
    { minMs: MIN_MS },
  ),
);
rows.push(
  await measure(
    'graph task, 10 calls on a held token',
    async () => {
      const r = await reuser.runTask({
        id: 'reuse10',
        capability: 'data',
        category: 'data',
        valueMsat: 100_000,
        calls: 10,
      });
      if (!r.done || r.calls !== 10) throw new Error(`task failed: ${r.stopReason}`);
    },
    { minMs: MIN_MS },
  ),
);
const buyerOfSingles = agent();
rows.push(
  await measure(
    'graph task, quote + buy 1 call',
    async () => {
      const r = await buyerOfSingles.runTask({
        id: 'buy',
        capability: 'data',
        category: 'single',
        valueMsat: 100_000,
        calls: 1,
      });
      if (!r.done || r.spentMsat === 0) throw new Error(`task did not buy: ${r.stopReason}`);
    },
    { minMs: MIN_MS, warmup: 20 },
  ),
);
// LangGraph's own floor on this machine, in this run: 7 trivial nodes in a line (the buyer's path for one bought call).
const Trivial = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
const trivial = new StateGraph(Trivial)
  .addNode('discover', async () => ({ n: 1 }))
  .addNode('quote', async () => ({ n: 1 }))
  .addNode('decide', async () => ({ n: 1 }))
  .addNode('authorize', async () => ({ n: 1 }))
  .addNode('pay', async () => ({ n: 1 }))
  .addNode('consume', async () => ({ n: 1 }))
  .addNode('evaluate', async () => ({ n: 1 }))
  .addEdge(START, 'discover')
  .addEdge('discover', 'quote')
  .addEdge('quote', 'decide')
  .addEdge('decide', 'authorize')
  .addEdge('authorize', 'pay')
  .addEdge('pay', 'consume')
  .addEdge('consume', 'evaluate')
  .addEdge('evaluate', END)
  .compile();
rows.push(
  await measure('LangGraph floor: 7 trivial nodes', () => trivial.invoke({ n: 0 }), { minMs: MIN_MS }),
);
report(
  'L402 buyer: one call, with and without paying (in-memory HTTP, simnet, zero latency)',
  rows,
  'paywall call, header by hand',
);

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
const candidates: Candidate[] = listings.map((listing, i) => ({
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
const micro: Measurement[] = [
  await measure(
    'policy all_of(3) authorize + settle',
    async () => {
      const d = await policy.authorize(quote, { nowMs: m.clock.now() });
      if (d.kind === 'allow') policy.settle(d.reservation, 10_500);
    },
    { minMs: MIN_MS, batch: 100 },
  ),
  await measure('decider: cheapest', () => cheapest.choose(candidates, task), { minMs: MIN_MS, batch: 100 }),
  await measure(
    'decider: llm (fakeModel, no network)',
    () => {
      model.respond(
        new AIMessage({
          content: '',
          tool_calls: [{ name: 'choose_offer', args: { offerId: 'offer-2', reason: 'r' }, id: 'c' }],
        }),
      );
      return llm.choose(candidates, task);
    },
    { minMs: MIN_MS, batch: 10 },
  ),
];
report('Buyer mechanics without I/O', micro, 'decider: cheapest');
