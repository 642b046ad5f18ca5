import { Hono, type Context } from 'hono';
import { describe, expect, it } from 'vitest';
import type { TokenFacts } from '../../infra/l402/index.js';
import {
  Macaroon,
  attenuate,
  caveats,
  formatAuthorization,
  paymentHashOfToken,
} from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { L402Variables, PaywallEvent } from '../../services/paywall/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { json, appWith, buy, challengeOf, inMemory, makeWorld, payInvoice, sha256Hex } from './helpers.js';

describe('l402Paywall: buying, reusing, expiring', () => {
  it('answers a request without a token with 402, an invoice of the seller for the price, and a macaroon bound to it', async () => {
    const w = makeWorld();
    const app = appWith(
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'weather',
        price: 21_000,
        capability: 'read',
        maxCalls: 5,
        tokenLifetimeSec: 3600,
      }),
    );
    const res = await app.request('/v1/data');
    expect(res.status).toBe(402);
    expect(await json(res)).toMatchObject({
      error: 'payment_required',
      reason: 'missing',
      priceMsat: 21_000,
      service: 'weather',
      tier: 0,
    });
    const ch = challengeOf(res);
    const inv = decodeInvoice(ch.invoice);
    expect(inv.amountMsat).toBe(21_000);
    expect(inv.payee).toBe(w.seller.pubkey);
    expect(inv.network).toBe('regtest');
    expect(paymentHashOfToken(ch.macaroon)).toBe(inv.paymentHash);
    const nowSec = Math.floor(w.clock.now() / 1000);
    expect(Macaroon.fromBase64(ch.macaroon).caveats).toEqual([
      'services=weather:0',
      'weather_capabilities=read',
      'weather_max_calls=5',
      `weather_valid_until=${nowSec + 3600}`,
    ]);
  });

  it('lets a paid token through with its facts on the context, and again on reuse', async () => {
    const w = makeWorld();
    const app = new Hono<{ Variables: L402Variables }>();
    app.get('/v1/data', l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000 }), (c) =>
      c.json({ tokenId: c.get('l402').tokenId, paymentHash: c.get('l402').paymentHash }),
    );
    const sellerBefore = (await w.seller.balances()).localMsat;
    const { authorization, res, challenge } = await buy(w, inMemory(app), '/v1/data');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.paymentHash).toBe(paymentHashOfToken(challenge.macaroon));
    expect((await w.seller.balances()).localMsat - sellerBefore).toBe(1_000);
    const again = await app.request('/v1/data', { headers: { authorization } });
    expect(again.status).toBe(200);
    expect((await json(again)).tokenId).toBe(body.tokenId);
  });

  it("accepts the LSAT scheme and a Go client's extra preimage caveat", async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000 }));
    const { authorization, challenge } = await buy(w, inMemory(app), '/v1/data');
    const preimage = authorization.split(':')[1]!;
    const lsat = await app.request('/v1/data', {
      headers: { authorization: authorization.replace('L402', 'LSAT') },
    });
    expect(lsat.status).toBe(200);
    const withCaveat = Macaroon.fromBase64(challenge.macaroon)
      .addFirstPartyCaveat(`preimage=${preimage}`)
      .toBase64();
    const go = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon: withCaveat, preimage }) },
    });
    expect(go.status).toBe(200);
  });

  it('challenges an expired token once the clock passes valid_until', async () => {
    const w = makeWorld();
    const app = appWith(
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, tokenLifetimeSec: 60 }),
    );
    const { authorization, res } = await buy(w, inMemory(app), '/v1/data');
    expect(res.status).toBe(200);
    await w.clock.advance(59_000);
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(200);
    await w.clock.advance(2_000);
    const late = await app.request('/v1/data', { headers: { authorization } });
    expect(late.status).toBe(402);
    expect((await json(late)).reason).toBe('expired');
    expect(late.headers.get('www-authenticate')).toMatch(/^L402 macaroon="/);
  });

  it('refuses a wrong preimage and an unknown token with a fresh challenge', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000 }));
    const first = await app.request('/v1/data');
    const { macaroon } = challengeOf(first);
    const wrong = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon, preimage: 'ab'.repeat(32) }) },
    });
    expect(wrong.status).toBe(402);
    expect((await json(wrong)).reason).toBe('wrong_preimage');
    // A token minted elsewhere (another minter, other root keys) is unknown here.
    const elsewhere = makeWorld({ seed: 2 });
    const foreign = appWith(
      l402Paywall({ ...elsewhere, node: elsewhere.seller, service: 'weather', price: 1_000 }),
    );
    const { authorization } = await buy(elsewhere, inMemory(foreign), '/v1/data');
    const unknown = await app.request('/v1/data', { headers: { authorization } });
    expect((await json(unknown)).reason).toBe('unknown_token');
  });
});

describe('l402Paywall: quotas and attenuation', () => {
  it('counts calls and challenges once max_calls are used', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 3 }));
    const { authorization, res } = await buy(w, inMemory(app), '/v1/data');
    expect(res.headers.get('L402-Calls-Remaining')).toBe('2');
    for (const left of ['1', '0']) {
      const r = await app.request('/v1/data', { headers: { authorization } });
      expect(r.status).toBe(200);
      expect(r.headers.get('L402-Calls-Remaining')).toBe(left);
    }
    const over = await app.request('/v1/data', { headers: { authorization } });
    expect(over.status).toBe(402);
    expect((await json(over)).reason).toBe('quota_exhausted');
  });

  it.each([
    ['a Response it built itself', () => new Response('raw')],
    ['its own calls-left header', (c: Context) => (c.header('L402-Calls-Remaining', '99'), c.text('raw'))],
  ])('marks the calls left on the answer of a handler with %s', async (_, handler) => {
    const w = makeWorld();
    const app = new Hono<{ Variables: L402Variables }>();
    app.get(
      '/v1/data',
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 3 }),
      handler,
    );
    const { authorization, res } = await buy(w, inMemory(app), '/v1/data');
    expect(res.headers.get('L402-Calls-Remaining')).toBe('2');
    const again = await app.request('/v1/data', { headers: { authorization } });
    expect(again.headers.get('L402-Calls-Remaining')).toBe('1');
    expect(await again.text()).toBe('raw');
  });

  it('lets exactly max_calls of many concurrent requests through (check-and-count is atomic)', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 3 }));
    const { authorization } = await buy(w, inMemory(app), '/v1/data');
    const results = await Promise.all(
      Array.from({ length: 20 }, () => app.request('/v1/data', { headers: { authorization } })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    expect(results.filter((r) => r.status === 402)).toHaveLength(18);
  });

  it('lets an attenuated copy pass within its own smaller limit while sharing the bundle total', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 5 }));
    const { authorization, challenge } = await buy(w, inMemory(app), '/v1/data'); // 1 of 5 used
    const preimage = authorization.split(':')[1]!;
    const copy = formatAuthorization({
      macaroon: attenuate(challenge.macaroon, [caveats.maxCalls('weather', 2)]),
      preimage,
    });
    expect((await app.request('/v1/data', { headers: { authorization: copy } })).status).toBe(200); // 2 of 5
    expect((await app.request('/v1/data', { headers: { authorization: copy } })).status).toBe(200); // 3 of 5
    const copyOver = await app.request('/v1/data', { headers: { authorization: copy } });
    expect((await json(copyOver)).reason).toBe('quota_exhausted');
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(200); // 4 of 5
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(200); // 5 of 5
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(402);
  });

  it('rejects a copy whose caveat widens the one before it', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 5 }));
    const { authorization, challenge } = await buy(w, inMemory(app), '/v1/data');
    const preimage = authorization.split(':')[1]!;
    // attenuate() refuses to widen, so build the copy by hand as a cheating reseller would.
    const wider = Macaroon.fromBase64(challenge.macaroon)
      .addFirstPartyCaveat('weather_max_calls=500')
      .toBase64();
    const r = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon: wider, preimage }) },
    });
    expect(r.status).toBe(402);
    expect((await json(r)).reason).toBe('widening_caveat');
  });
});

describe('l402Paywall: capabilities and request binding', () => {
  it('denies a route whose capability the token does not grant', async () => {
    const w = makeWorld();
    const shared = { ...w, node: w.seller, service: 'weather', price: 1_000 };
    const app = new Hono();
    app.get('/v1/read', l402Paywall({ ...shared, capability: 'read' }), (c) => c.text('read'));
    app.post('/v1/write', l402Paywall({ ...shared, capability: 'write' }), (c) => c.text('written'));
    const { authorization } = await buy(w, inMemory(app), '/v1/read');
    const r = await app.request('/v1/write', { method: 'POST', headers: { authorization } });
    expect(r.status).toBe(402);
    expect((await json(r)).reason).toBe('capability_denied');
  });

  it('binds a token to its methods and path prefix', async () => {
    const w = makeWorld();
    const shared = { ...w, node: w.seller, service: 'weather', price: 1_000 };
    const app = new Hono();
    app.get('/v1/a/x', l402Paywall({ ...shared, methods: ['GET'], pathPrefix: '/v1/a' }), (c) => c.text('a'));
    app.get('/v1/b', l402Paywall({ ...shared }), (c) => c.text('b'));
    app.post('/v1/a/x', l402Paywall({ ...shared }), (c) => c.text('post'));
    const { authorization, res } = await buy(w, inMemory(app), '/v1/a/x');
    expect(res.status).toBe(200);
    const otherPath = await app.request('/v1/b', { headers: { authorization } });
    expect((await json(otherPath)).reason).toBe('binding_mismatch');
    const otherMethod = await app.request('/v1/a/x', { method: 'POST', headers: { authorization } });
    expect((await json(otherMethod)).reason).toBe('binding_mismatch');
  });
});

describe('l402Paywall: strict mode, rate limit, dynamic price, events', () => {
  it('in strict mode, refuses a token whose invoice the node has not settled', async () => {
    const w = makeWorld();
    // The seller's own node knows every preimage it issued; a leaked one must not open the door without payment.
    const inv = await w.seller.createInvoice({ amountMsat: 1_000 });
    const { token } = await w.minter.mint({
      paymentHash: inv.paymentHash,
      caveats: [caveats.services([{ name: 'weather', tier: 0 }])],
    });
    const authorization = formatAuthorization({ macaroon: token, preimage: inv.preimage! });
    const lax = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000 }));
    const strict = appWith(
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, strict: true }),
    );
    expect((await lax.request('/v1/data', { headers: { authorization } })).status).toBe(200);
    const refused = await strict.request('/v1/data', { headers: { authorization } });
    expect(refused.status).toBe(402);
    expect((await json(refused)).reason).toBe('unpaid');
    await payInvoice(w, w.buyer, inv.paymentRequest);
    expect((await strict.request('/v1/data', { headers: { authorization } })).status).toBe(200);
  });

  it('rate-limits per token with 429 and Retry-After on the injected clock', async () => {
    const w = makeWorld();
    const app = appWith(
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'weather',
        price: 1_000,
        rateLimit: { calls: 2, perMs: 10_000 },
      }),
    );
    const { authorization } = await buy(w, inMemory(app), '/v1/data'); // 1st call
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(200);
    const limited = await app.request('/v1/data', { headers: { authorization } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    expect((await json(limited)).error).toBe('rate_limited');
    await w.clock.advance(5_000);
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(200);
  });

  it('prices by load: each request in flight raises the next quote', async () => {
    const w = makeWorld();
    const app = new Hono();
    const paywall = l402Paywall({
      ...w,
      node: w.seller,
      service: 'gpu',
      price: (_c, load) => 1_000 + 500 * load.inFlight,
    });
    app.get('/v1/job', paywall, async (c) => {
      await w.clock.sleep(1_000); // the job holds its slot for a second
      return c.text('done');
    });
    const quote = async () => (await json(await app.request('/v1/job'))).priceMsat as number;
    const first = await app.request('/v1/job');
    expect((await json(first)).priceMsat).toBe(1_000);
    const { macaroon, invoice } = challengeOf(first);
    const authorization = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
    // Two jobs hold their slots (sleeping on the virtual clock) while we ask for a quote.
    const jobs = [
      app.request('/v1/job', { headers: { authorization } }),
      app.request('/v1/job', { headers: { authorization } }),
    ];
    await settle();
    expect(await quote()).toBe(2_000);
    await w.clock.runUntilIdle();
    expect((await Promise.all(jobs)).map((r) => r.status)).toEqual([200, 200]);
    expect(await quote()).toBe(1_000);
  });

  it('emits one event per challenge, authorized call and rejection', async () => {
    const w = makeWorld();
    const events: PaywallEvent[] = [];
    const app = appWith(
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'weather',
        price: 1_000,
        maxCalls: 1,
        onEvent: (e) => events.push(e),
      }),
    );
    const { authorization } = await buy(w, inMemory(app), '/v1/data');
    await app.request('/v1/data', { headers: { authorization } });
    expect(events.map((e) => `${e.type}:${e.reason ?? ''}`)).toEqual([
      'challenge:missing',
      'authorized:',
      'rejected:quota_exhausted',
      'challenge:quota_exhausted',
    ]);
    expect(events[0]).toMatchObject({
      service: 'weather',
      path: '/v1/data',
      method: 'GET',
      priceMsat: 1_000,
      atMs: w.clock.now(),
    });
    expect(events[1]!.paymentHash).toBe(events[0]!.paymentHash);
  });

  it('gives the call back to the quota when the handler fails with 5xx', async () => {
    const w = makeWorld();
    const app = new Hono<{ Variables: L402Variables }>();
    let fail = true;
    app.get(
      '/v1/data',
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000, maxCalls: 1 }),
      (c) =>
        fail ? c.json({ error: 'backend down' }, 503) : c.json({ facts: c.get('l402') satisfies TokenFacts }),
    );
    const { authorization, res } = await buy(w, inMemory(app), '/v1/data');
    expect(res.status).toBe(503);
    fail = false;
    expect((await app.request('/v1/data', { headers: { authorization } })).status).toBe(200);
  });

  it('binds the macaroon to the invoice hash it was issued for', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 1_000 }));
    const { authorization } = await buy(w, inMemory(app), '/v1/data');
    const [mac, preimage] = authorization.slice(5).split(':') as [string, string];
    expect(sha256Hex(preimage)).toBe(paymentHashOfToken(mac));
  });
});
