import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import {
  createL402Client,
  FileTokenStore,
  prepareRequest,
  type L402Client,
  type TokenStore,
} from '../../agents/l402/index.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { makeMarket, type Market, type TestSeller } from './market.js';

/**
 * A token's `<service>_methods` and `<service>_path_prefix` caveats bind it to
 * requests: the buyer hands a held token only to a request they allow, keeps
 * it when a request outside them is refused, and keeps a token bought for
 * other methods beside it. Honest sellers behind the real paywall on the
 * simnet; every price is 20,000 msat and every hop fee 120 msat.
 */

const PRICE_MSAT = 20_000;
const FEE_MSAT = 120;

interface Served {
  seller: TestSeller;
  url: string;
  events: PaywallEvent[];
  served: () => number;
  /** Mounts the seller's app anew, selling `bundles` from then on. */
  sell: (bundles: Bundle[]) => void;
}

/**
 * One paywall of the seller: the methods its tokens are bound to (none: all),
 * the methods its route serves and the calls a bundle holds (default 10).
 */
interface Bundle {
  methods?: string[];
  serves: string[];
  calls?: number;
}

/**
 * Seller `a` selling bundles, one paywall per `bundles` entry, each serving its
 * methods on /v1/data (on /v1/* with tokens bound to `pathPrefix` when set);
 * records the paywall's events and counts the calls served.
 */
function sellerOf(m: Market, bundles: Bundle[], pathPrefix?: string): Served {
  const seller = m.addSeller({ name: 'a', priceMsat: PRICE_MSAT, maxCalls: 10 });
  const events: PaywallEvent[] = [];
  let served = 0;
  const sell = (list: Bundle[]) => {
    const app = new Hono();
    for (const { methods, serves, calls = 10 } of list) {
      const paywall = l402Paywall({
        node: seller.node,
        minter: seller.minter,
        clock: m.clock,
        service: 'a',
        price: PRICE_MSAT,
        maxCalls: calls,
        ...(methods ? { methods } : {}),
        ...(pathPrefix ? { pathPrefix } : {}),
        onEvent: (e) => events.push(e),
      }) as MiddlewareHandler;
      app.on(serves, pathPrefix ? `${pathPrefix}/*` : '/v1/data', paywall, (c) => {
        served++;
        return c.json({ ok: true });
      });
    }
    m.mount(seller.host, app);
  };
  sell(bundles);
  return { seller, url: seller.url, events, served: () => served, sell };
}

/** The GET-bound bundle on a route serving GET and POST. */
const GET_BOUND: Bundle[] = [{ methods: ['GET'], serves: ['GET', 'POST'] }];

const clientOf = (m: Market, tokens?: TokenStore) =>
  createL402Client({
    node: m.buyer,
    fetch: m.fetch,
    clock: m.clock,
    defaultMaxPriceMsat: 50_000,
    ...(tokens ? { tokens } : {}),
  });

/** `method url` through the client's purchase (a POST with a JSON body). */
const call = (client: L402Client, url: string, method: string) =>
  client.purchase(url, { method, ...(method === 'POST' ? { body: '{}' } : {}) });

/** Each held token: payment hash, state and `calls used/max calls` (in store order). */
const held = (tokens: TokenStore) =>
  tokens.list().map((t) => ({ hash: t.paymentHash, state: t.state, used: `${t.callsUsed}/${t.maxCalls}` }));

describe('a GET-bound 10-call bundle (a_methods=GET) on a route serving GET and POST', () => {
  it('GET, GET, POST, GET, GET: the POST is refused before paying and the bundle serves all 4 GETs for 20,000 msat', async () => {
    const m = makeMarket();
    const s = sellerOf(m, GET_BOUND);
    const client = clientOf(m);
    const before = await m.balance(m.buyer);

    const results = [];
    for (const method of ['GET', 'GET', 'POST', 'GET', 'GET'])
      results.push(await call(client, s.url, method));

    expect(results.map((r) => [r.outcome, r.rejection ?? null, r.paidMsat, r.tokenReused])).toEqual([
      ['success', null, PRICE_MSAT, false],
      ['success', null, 0, true],
      ['invoice_rejected', 'unusable_token', 0, false],
      ['success', null, 0, true],
      ['success', null, 0, true],
    ]);
    expect(results[2]!.reason).toBe(
      'the token cannot authorize POST /v1/data: its a_methods [GET] do not include POST',
    );
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(s.served()).toBe(4);
    // The POST was never sent with the token: the seller refused nothing.
    expect(s.events.filter((e) => e.type === 'rejected')).toEqual([]);
    expect(held(client.tokens)).toEqual([{ hash: results[0]!.paymentHash, state: 'paid', used: '4/10' }]);
  });

  it('a POST delivered with the GET-bound token is refused by the seller, and the token stays held with its 8 calls left', async () => {
    const m = makeMarket();
    const s = sellerOf(m, GET_BOUND);
    const client = clientOf(m);
    await client.purchase(s.url);
    await client.purchase(s.url);
    const token = client.tokens.get(new URL(s.url).origin, '/v1/data', 'GET')!;

    const post = await prepareRequest(s.url, { method: 'POST', body: '{}' });
    const d = await client.engine.deliver(post, token, { claim: true, step: 'reuse' });

    expect(d.kind === 'rejected' && [d.outcome, d.answer.status, d.answer.reason]).toEqual([
      'token_refused',
      402,
      'binding_mismatch',
    ]);
    // Not dropped, and the call claimed for the POST went back (the seller counted none).
    expect(held(client.tokens)).toEqual([{ hash: token.paymentHash, state: 'paid', used: '2/10' }]);
    const next = await client.purchase(s.url);
    expect([next.outcome, next.paidMsat, next.tokenReused]).toEqual(['success', 0, true]);
  });
});

describe('a seller selling GET-bound and POST-bound 10-call bundles on one path', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('GET, POST, GET, POST: two bundles bought (40,000 msat), each reused by its own method, both kept in the token file', async () => {
    const m = makeMarket();
    const s = sellerOf(m, [
      { methods: ['GET'], serves: ['GET'] },
      { methods: ['POST'], serves: ['POST'] },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'token-binding-'));
    dirs.push(dir);
    const path = join(dir, 'tokens.json');
    const tokens = await FileTokenStore.open(path);
    const client = clientOf(m, tokens);
    const before = await m.balance(m.buyer);

    const results = [];
    for (const method of ['GET', 'POST', 'GET', 'POST']) results.push(await call(client, s.url, method));

    expect(results.map((r) => [r.outcome, r.paidMsat, r.tokenReused])).toEqual([
      ['success', PRICE_MSAT, false],
      ['success', PRICE_MSAT, false],
      ['success', 0, true],
      ['success', 0, true],
    ]);
    expect(results[2]!.paymentHash).toBe(results[0]!.paymentHash);
    expect(results[3]!.paymentHash).toBe(results[1]!.paymentHash);
    expect(before - (await m.balance(m.buyer))).toBe(2 * (PRICE_MSAT + FEE_MSAT));
    expect(s.served()).toBe(4);
    expect(s.events.filter((e) => e.type === 'rejected')).toEqual([]);
    const both = [
      { hash: results[0]!.paymentHash, state: 'paid', used: '2/10' },
      { hash: results[1]!.paymentHash, state: 'paid', used: '2/10' },
    ];
    expect(held(tokens)).toEqual(both);

    // Read back from the file: both bundles, each found for its own method.
    await tokens.close();
    const reopened = await FileTokenStore.open(path);
    expect(held(reopened)).toEqual(both);
    const origin = new URL(s.url).origin;
    expect(reopened.get(origin, '/v1/data', 'GET')?.paymentHash).toBe(results[0]!.paymentHash);
    expect(reopened.get(origin, '/v1/data', 'POST')?.paymentHash).toBe(results[1]!.paymentHash);
    await reopened.close();
  });
});

describe('a seller whose tokens change binding between sales (GET or every method)', () => {
  it('the newest of two held tokens covering a GET is the one used: 3 bundles bought for 4 GETs, not 4', async () => {
    const m = makeMarket();
    const s = sellerOf(m, [{ serves: ['GET'], calls: 1 }]);
    const client = clientOf(m);
    const results = [];
    // A 1-call bundle for every method, then a 1-call GET-bound one, then a 10-call one for every method.
    results.push(await client.purchase(s.url));
    s.sell([{ methods: ['GET'], serves: ['GET'], calls: 1 }]);
    results.push(await client.purchase(s.url));
    s.sell([{ serves: ['GET'] }]);
    results.push(await client.purchase(s.url));
    results.push(await client.purchase(s.url));

    expect(results.map((r) => [r.outcome, r.paidMsat, r.tokenReused])).toEqual([
      ['success', PRICE_MSAT, false],
      ['success', PRICE_MSAT, false],
      ['success', PRICE_MSAT, false],
      ['success', 0, true],
    ]);
    expect(results[3]!.paymentHash).toBe(results[2]!.paymentHash);
    expect(held(client.tokens).map((t) => t.used)).toEqual(['1/1', '2/10']);
  });
});

describe('a 10-call bundle bound to /v1 (a_path_prefix=/v1) on a seller serving /v1/*', () => {
  it('/v1/a, /v1/a%2Fb, /v1/b: the encoded path is refused before paying and the bundle serves /v1/b for nothing more', async () => {
    const m = makeMarket();
    const s = sellerOf(m, [{ serves: ['GET'] }], '/v1');
    const client = clientOf(m);
    const origin = new URL(s.url).origin;
    const before = await m.balance(m.buyer);

    const results = [];
    for (const path of ['/v1/a', '/v1/a%2Fb', '/v1/b'])
      results.push(await client.purchase(`${origin}${path}`));

    expect(results.map((r) => [r.outcome, r.rejection ?? null, r.paidMsat, r.tokenReused])).toEqual([
      ['success', null, PRICE_MSAT, false],
      ['invoice_rejected', 'unusable_token', 0, false],
      ['success', null, 0, true],
    ]);
    expect(results[1]!.reason).toBe(
      'the token cannot authorize GET /v1/a%2Fb: its a_path_prefix /v1 does not cover /v1/a%2Fb',
    );
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(s.served()).toBe(2);
    expect(s.events.filter((e) => e.type === 'rejected')).toEqual([]);
    expect(held(client.tokens)).toEqual([{ hash: results[0]!.paymentHash, state: 'paid', used: '2/10' }]);
  });
});

describe('the buyer graph with a GET-bound 10-call bundle', () => {
  it('a GET task, a POST task, a GET task (2 calls each): the POST task pays nothing and the third task reuses the bundle', async () => {
    const m = makeMarket();
    const s = sellerOf(m, GET_BOUND);
    const registry = await m.registry();
    const client = clientOf(m);
    const agent = createBuyerAgent({
      name: 'b',
      registry,
      client,
      decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('d') }),
      clock: m.clock,
      executor: 'direct',
    });
    const before = await m.balance(m.buyer);

    const runs = [];
    for (const [id, method] of [
      ['t1', 'GET'],
      ['t2', 'POST'],
      ['t3', 'GET'],
    ] as const)
      runs.push(
        await agent.runTask({
          id,
          capability: 'data',
          valueMsat: 100_000,
          calls: 2,
          method,
          ...(method === 'POST' ? { body: '{}' } : {}),
        }),
      );

    expect(
      runs.map((r) => [r.stopReason, r.calls, r.spentMsat, r.purchases.map((p) => [p.outcome, p.paidMsat])]),
    ).toEqual([
      [
        'done',
        2,
        PRICE_MSAT,
        [
          ['success', PRICE_MSAT],
          ['success', 0],
        ],
      ],
      ['no_acceptable_offer', 0, 0, [['invoice_rejected', 0]]],
      [
        'done',
        2,
        0,
        [
          ['success', 0],
          ['success', 0],
        ],
      ],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(s.events.filter((e) => e.type === 'rejected')).toEqual([]);
    expect(held(client.tokens).map((t) => [t.state, t.used])).toEqual([['paid', '4/10']]);
  });
});
