/**
 * A purchase record's `requests` is the HTTP requests the purchase sent to the
 * seller (purchases.csv's `requests` column): its quote (the 402 challenge,
 * after the manifest read when quoting from manifests), its negotiation bids,
 * and its call. Counted here at the transport, per seller host, through real
 * paywalls in the embedded world, under both executors of the buyer graph.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  createBuyerAgent,
  createDecider,
  type BuyerAgentOptions,
  type TaskResult,
} from '../../agents/buyer/index.js';
import { createL402Client, type BuyerNegotiator } from '../../agents/l402/index.js';
import { ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { denylist, type PaymentPolicy } from '../../agents/policies/index.js';
import { drive, makeMarket, type Market, type SellerSpec, type TestSeller } from './market.js';

/** The market's fetch, counting the requests each host is sent. */
function countingFetch(m: Market): { fetch: typeof fetch; sent: Record<string, number> } {
  const sent: Record<string, number> = {};
  const counted = (input: string | URL | Request, init?: RequestInit) => {
    const host = new URL(input instanceof Request ? input.url : input).host;
    sent[host] = (sent[host] ?? 0) + 1;
    return m.fetch(input, init);
  };
  return { fetch: counted as typeof fetch, sent };
}

/** Serves a manifest quoting `priceMsat` for the seller's route in front of its paywall. */
function withManifest(m: Market, s: TestSeller, priceMsat: number): void {
  const front = new Hono();
  front.get('/.well-known/l402.json', (c) =>
    c.json({
      provider: { name: s.spec.name, uri: s.url, node_pubkey: s.node.pubkey },
      services: [{ name: s.spec.name, path: '/v1/data', tiers: [{ tier: 0, price_msat: priceMsat }] }],
    }),
  );
  front.all('*', (c) => s.app.fetch(c.req.raw));
  m.mount(s.host, front);
}

type Executor = 'langgraph' | 'direct';

/** Runs one task of `calls` calls for a cheapest-first buyer over `sellers`. */
async function run(
  executor: Executor,
  sellers: SellerSpec[],
  o: {
    calls?: number;
    policy?: PaymentPolicy;
    agent?: Partial<BuyerAgentOptions>;
    setup?: (m: Market) => void;
  } = {},
) {
  const m = makeMarket();
  for (const spec of sellers) m.addSeller(spec);
  o.setup?.(m);
  const { fetch, sent } = countingFetch(m);
  const agent = createBuyerAgent({
    name: 'buyer-1',
    registry: await m.registry(),
    client: createL402Client({ node: m.buyer, fetch, clock: m.clock, ...(o.policy && { policy: o.policy }) }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    executor,
    ...o.agent,
  });
  const task = { id: 't1', capability: 'data', valueMsat: 100_000, calls: o.calls ?? 1 };
  const r = await drive(m.clock, agent.runTask(task));
  return { m, r, sent };
}

/** Each purchase as [seller, outcome, requests]. */
const rows = (r: TaskResult) => r.purchases.map((p) => [p.seller, p.outcome, p.requests]);

describe.each(['langgraph', 'direct'] as const)(
  "a buyer's purchase record's requests count the HTTP requests it sent to the seller (%s executor)",
  (executor) => {
    it('a quote refused at the invoice check records its 1 request; the next seller bought records 2 (402 quote, paid call)', async () => {
      const { r, sent } = await run(executor, [
        { name: 'cheat', priceMsat: 2_000, mode: 'overcharge' },
        { name: 'honest', priceMsat: 5_000 },
      ]);
      expect(rows(r)).toEqual([
        ['cheat', 'invoice_rejected', 1],
        ['honest', 'success', 2],
      ]);
      expect(sent).toEqual({ 'cheat.test': 1, 'honest.test': 2 });
    });

    it('a 3-call bundle bought for a 3-call task: the buying call records 2 requests, each call on the held token 1', async () => {
      const { r, sent } = await run(executor, [{ name: 'bundle', priceMsat: 5_000, maxCalls: 3 }], {
        calls: 3,
      });
      expect(rows(r)).toEqual([
        ['bundle', 'success', 2],
        ['bundle', 'success', 1],
        ['bundle', 'success', 1],
      ]);
      expect(sent).toEqual({ 'bundle.test': 4 });
    });

    it('a paid call answered 500 records 2 requests (quote, call); the next seller bought records 2', async () => {
      const { r, sent } = await run(executor, [
        { name: 'flaky', priceMsat: 2_000, failing: true },
        { name: 'honest', priceMsat: 5_000 },
      ]);
      expect(rows(r)).toEqual([
        ['flaky', 'not_delivered', 2],
        ['honest', 'success', 2],
      ]);
      expect(sent).toEqual({ 'flaky.test': 2, 'honest.test': 2 });
    });

    it('a payment that failed (the payee offline) records its 1 quote request; the next seller bought records 2', async () => {
      const { r, sent } = await run(
        executor,
        [
          { name: 'offline', priceMsat: 4_000 },
          { name: 'online', priceMsat: 7_000 },
        ],
        { setup: (m) => m.net.setOnline(m.sellers[0]!.node, false) },
      );
      expect(rows(r)).toEqual([
        ['offline', 'no_route', 1],
        ['online', 'success', 2],
      ]);
      expect(sent).toEqual({ 'offline.test': 1, 'online.test': 2 });
    });

    it('a policy denial records the 1 quote request it refused; the next seller bought records 2', async () => {
      const { r, sent } = await run(
        executor,
        [
          { name: 'denied', priceMsat: 3_000 },
          { name: 'allowed', priceMsat: 5_000 },
        ],
        { policy: denylist({ services: ['denied'] }) },
      );
      expect(rows(r)).toEqual([
        ['denied', 'policy_denied', 1],
        ['allowed', 'success', 2],
      ]);
      expect(sent).toEqual({ 'denied.test': 1, 'allowed.test': 2 });
    });

    it('quoting from manifests, a seller without one (404) is asked its 402 challenge: a refused quote records 2 requests, a bought call 3', async () => {
      const { r, sent } = await run(
        executor,
        [
          { name: 'cheat', priceMsat: 2_000, mode: 'overcharge' },
          { name: 'honest', priceMsat: 5_000 },
        ],
        { agent: { quoteFrom: 'manifest' } },
      );
      expect(rows(r)).toEqual([
        ['cheat', 'invoice_rejected', 2],
        ['honest', 'success', 3],
      ]);
      expect(sent).toEqual({ 'cheat.test': 2, 'honest.test': 3 });
    });

    it('a seller chosen at its manifest price is asked its live challenge: refused over the manifest price it records 2 requests, bought 3 (manifest, 402, paid call)', async () => {
      const { r, sent } = await run(
        executor,
        [
          { name: 'bait', priceMsat: 20_000 },
          { name: 'listed', priceMsat: 5_000 },
        ],
        {
          agent: { quoteFrom: 'manifest' },
          setup: (m) => {
            withManifest(m, m.sellers[0]!, 100);
            withManifest(m, m.sellers[1]!, 5_000);
          },
        },
      );
      expect(rows(r)).toEqual([
        ['bait', 'invoice_rejected', 2],
        ['listed', 'success', 3],
      ]);
      expect(sent).toEqual({ 'bait.test': 2, 'listed.test': 3 });
    });

    it('a negotiated purchase records its quote, its 3 bids and the paid call: 5 requests', async () => {
      const { r, sent } = await run(
        executor,
        [
          {
            name: 'haggler',
            priceMsat: 10_000,
            negotiation: { negotiator: ruleSeller({ floorMsat: 6_000 }) },
          },
        ],
        { agent: { negotiator: ruleBuyer() } },
      );
      expect(rows(r)).toEqual([['haggler', 'success', 5]]);
      expect(r.spentMsat).toBe(6_750);
      expect(sent).toEqual({ 'haggler.test': 5 });
    });

    it('a negotiation walked away from after 1 bid records 2 requests (quote, bid); a bid the next seller ignores counts too: 3 for its bought call', async () => {
      // Bids 1 msat, then walks away from whatever the seller counters.
      const lowball: BuyerNegotiator = {
        name: 'lowball',
        next: (turn) =>
          turn.round === 0 ? { kind: 'bid', bidMsat: 1 } : { kind: 'walk', reason: 'too dear' },
      };
      const { r, sent } = await run(
        executor,
        [
          {
            name: 'haggler',
            priceMsat: 4_000,
            negotiation: { negotiator: ruleSeller({ floorMsat: 3_000 }) },
          },
          { name: 'fixed', priceMsat: 5_000 },
        ],
        { agent: { negotiator: lowball } },
      );
      expect(rows(r)).toEqual([
        ['haggler', 'no_agreement', 2],
        ['fixed', 'success', 3],
      ]);
      expect(sent).toEqual({ 'haggler.test': 2, 'fixed.test': 3 });
    });
  },
);

describe('the buyer graph and the plain L402 client count a bought call alike', () => {
  it('a call bought through the buyer graph and one bought through the client both record 2 requests (402 quote, paid call)', async () => {
    const { r, sent } = await run('direct', [{ name: 'honest', priceMsat: 5_000 }]);
    const m = makeMarket();
    const s = m.addSeller({ name: 'honest', priceMsat: 5_000 });
    const client = countingFetch(m);
    const bought = await drive(
      m.clock,
      createL402Client({ node: m.buyer, fetch: client.fetch, clock: m.clock }).purchase(s.url),
    );

    expect(rows(r)).toEqual([['honest', 'success', 2]]);
    expect([bought.outcome, bought.requests]).toEqual(['success', 2]);
    expect([sent, client.sent]).toEqual([{ 'honest.test': 2 }, { 'honest.test': 2 }]);
  });
});
