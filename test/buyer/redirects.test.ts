import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client, type PurchaseResult } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { Registry } from '../../services/registry/registry.js';
import { nodeSigner, signListing } from '../../services/registry/signing.js';
import { makeMarket, type Market } from './market.js';

const servers: Listening[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Serves `fetch` on 127.0.0.1:<free port>, closed after the test. */
async function onSocket(fetch: (req: Request) => Response | Promise<Response>): Promise<Listening> {
  const server = await listen(fetch);
  servers.push(server);
  return server;
}

/** The server a hostile seller redirects to (an internal address, say), recording every request it gets. */
async function elsewhere() {
  const hits: string[] = [];
  const server = await onSocket(async (req) => {
    hits.push(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`.trim());
    return Response.json({ data: 'from elsewhere' });
  });
  return { hits, target: `${server.url}/internal` };
}

/** An app that answers every request (manifest and quote included) with a `status` redirect to `target`. */
function redirectingApp(target: string, status: 302 | 307): Hono {
  const app = new Hono();
  app.all('*', (c) => c.redirect(target, status));
  return app;
}

/** A seller behind the real paywall whose handler, once paid, answers 307 to `target`. */
function paidRedirectApp(m: Market, target: string, payOnSuccess = false) {
  const node = m.addNode('hostile');
  const rng = m.rng.fork('hostile');
  const events: PaywallEvent[] = [];
  const paywall = l402Paywall({
    node,
    minter: createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) }),
    clock: m.clock,
    service: 'hostile',
    price: 5_000,
    onEvent: (e) => events.push(e),
    ...(payOnSuccess ? { payOnSuccess: true, randomBytes: (n: number) => rng.bytes(n) } : {}),
  });
  const app = new Hono();
  app.on(['GET', 'POST'], '/v1/data', paywall, (c) => c.redirect(target, 307));
  return { app, events };
}

/** What a purchase ended with, without its timings. */
const ending = (r: PurchaseResult) => ({
  outcome: r.outcome,
  status: r.status,
  reason: r.reason,
  paidMsat: r.paidMsat,
  feeMsat: r.feeMsat,
  requests: r.requests,
});

const refusal = (status: number, target: string) =>
  `seller answered ${status} (redirect to ${target}); redirects are not followed: use the final URL`;

describe('a buyer on real sockets does not follow a seller redirect', () => {
  it.each(['challenge', 'manifest'] as const)(
    'a quote answered 302 (quotes from %s): the redirect target gets no request, the seller is excluded as seller_error naming the redirect, the honest seller is bought',
    async (quoteFrom) => {
      const { hits, target } = await elsewhere();
      const m = makeMarket();
      const dear = m.addSeller({ name: 'dear', priceMsat: 9_000 });
      const cheap = m.addSeller({ name: 'cheap', priceMsat: 4_000 });
      const cheapServer = await onSocket(redirectingApp(target, 302).fetch);
      const dearServer = await onSocket(dear.app.fetch);
      const registry = await Registry.open({ clock: m.clock, network: 'regtest' });
      for (const [s, server] of [
        [cheap, cheapServer],
        [dear, dearServer],
      ] as const) {
        const fields = { ...s.fields, url: `${server.url}/v1/data` };
        const r = await registry.register(await signListing(fields, await nodeSigner(s.node), m.clock.now()));
        if (!r.ok) throw new Error(r.message);
      }
      const agent = createBuyerAgent({
        name: 'buyer',
        registry,
        client: createL402Client({ node: m.buyer, fetch: globalThis.fetch, clock: m.clock }),
        decider: createDecider('cheapest', { clock: m.clock }),
        clock: m.clock,
        quoteFrom,
        quoting: { mode: 'all' },
      });
      const before = await m.balance(m.buyer);

      const r = await agent.runTask({ id: 't', capability: 'data', valueMsat: 50_000, calls: 1 });

      expect(hits).toEqual([]);
      const rows = r.purchases.map((p) => [p.seller, p.outcome, p.paidMsat, p.reason ?? null]);
      expect(rows).toEqual([
        ['cheap', 'seller_error', 0, refusal(302, target)],
        ['dear', 'success', 9_000, null],
      ]);
      expect(before - (await m.balance(m.buyer))).toBe(9_000 + 109);
    },
  );

  it('a paid call answered 307: the redirect target gets nothing, the call fails not_delivered with status 307, one payment of 5,000 msat + 105 fee', async () => {
    const { hits, target } = await elsewhere();
    const m = makeMarket();
    const seller = paidRedirectApp(m, target);
    const server = await onSocket(seller.app.fetch);
    const client = createL402Client({ node: m.buyer, fetch: globalThis.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(`${server.url}/v1/data`);

    expect(hits).toEqual([]);
    expect(ending(r)).toEqual({
      outcome: 'not_delivered',
      status: 307,
      reason: refusal(307, target),
      paidMsat: 5_000,
      feeMsat: 105,
      requests: 2,
    });
    expect(r.response?.headers.get('location')).toBe(target);
    expect(before - (await m.balance(m.buyer))).toBe(5_105);
    expect(seller.events.map((e) => e.type)).toEqual(['challenge', 'authorized']);
    // The paywall counted the call (only a 5xx gives it back): so does the buyer.
    expect(client.tokens.list().map((t) => t.callsUsed)).toEqual([1]);
  });

  it('a pay-on-success call answered 307: the redirect target gets nothing, the seller cancels the hold, 0 msat paid', async () => {
    const { hits, target } = await elsewhere();
    const m = makeMarket();
    const seller = paidRedirectApp(m, target, true);
    const server = await onSocket(seller.app.fetch);
    const client = createL402Client({ node: m.buyer, fetch: globalThis.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(`${server.url}/v1/data`, {}, { payOnSuccess: true });

    expect(hits).toEqual([]);
    expect(ending(r)).toEqual({
      outcome: 'not_delivered',
      status: 307,
      reason: refusal(307, target),
      paidMsat: 0,
      feeMsat: 0,
      requests: 2,
    });
    expect(await m.balance(m.buyer)).toBe(before);
    expect(seller.events.map((e) => e.type)).toEqual(['challenge', 'authorized', 'refunded']);
  });
});

describe('a redirecting seller ends a purchase the same way on sockets and in the embedded world', () => {
  /** One purchase from `app` served on a socket or mounted in the market's in-memory HTTP. */
  async function buyFrom(world: 'sockets' | 'embedded', app: (m: Market) => Hono) {
    const m = makeMarket();
    const served = app(m);
    let url = 'http://seller.test/v1/data';
    if (world === 'sockets') url = `${(await onSocket(served.fetch)).url}/v1/data`;
    else m.mount('seller.test', served);
    const fetch = world === 'sockets' ? globalThis.fetch : m.fetch;
    const client = createL402Client({ node: m.buyer, fetch, clock: m.clock });
    return ending(await client.purchase(url));
  }

  it('a quote answered 302 and a paid call answered 307 end alike in both worlds, the redirect target untouched', async () => {
    const { hits, target } = await elsewhere();
    const quote = (_m: Market) => redirectingApp(target, 302);
    const paid = (m: Market) => paidRedirectApp(m, target).app;

    const onSockets = [await buyFrom('sockets', quote), await buyFrom('sockets', paid)];
    const embedded = [await buyFrom('embedded', quote), await buyFrom('embedded', paid)];

    expect(onSockets).toEqual(embedded);
    expect(embedded).toEqual([
      {
        outcome: 'seller_error',
        status: 302,
        reason: refusal(302, target),
        paidMsat: 0,
        feeMsat: 0,
        requests: 1,
      },
      {
        outcome: 'not_delivered',
        status: 307,
        reason: refusal(307, target),
        paidMsat: 5_000,
        feeMsat: 105,
        requests: 2,
      },
    ]);
    expect(hits).toEqual([]);
  });
});
