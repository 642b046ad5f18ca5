import { fakeModel } from '@langchain/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { llmSeller, ruleSeller } from '../../agents/negotiation/index.js';
import {
  l402Paywall,
  type NegotiationOptions,
  type PaywallEvent,
  type SellerNegotiator,
} from '../../services/paywall/index.js';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import { appWith, challengeOf, inMemory, json, makeWorld, type Fetcher, type World } from './helpers.js';

/** A seller's negotiator that counters every bid at 8,000 msat and counts its calls (a model's cost). */
function countingNegotiator(): SellerNegotiator & { calls: number } {
  const n = {
    calls: 0,
    reply: () => {
      n.calls++;
      return { kind: 'counter' as const, priceMsat: 8_000 };
    },
  };
  return n;
}

/** A seller posting 10,000 msat that negotiates with `negotiation`, its events kept. */
function seller(w: World, negotiation: NegotiationOptions, events: PaywallEvent[] = []) {
  return appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      negotiation,
      onEvent: (e) => events.push(e),
    }),
  );
}

const bid = (msat: number | string, offer?: string) => ({
  headers: { 'L402-Bid': String(msat), ...(offer ? { 'L402-Offer': offer } : {}) },
});

const LIMITED = (sec: number, rate = '2 bids per 10 s', ask = 10_000) => ({
  error: 'bid_rate_limited',
  message: `this seller's negotiator answers at most ${rate}; bid again in ${sec} s, or take the standing offer of ${ask} msat now by bidding it`,
});

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the paywall bounds how often it asks its negotiator (negotiatorRate)', () => {
  it('answers the 3rd bid in 10 s with 429 bid_rate_limited, Retry-After 5, without asking the negotiator (2 calls), and answers again after the refill', async () => {
    const w = makeWorld();
    const n = countingNegotiator();
    const events: PaywallEvent[] = [];
    const app = seller(w, { negotiator: n, negotiatorRate: { calls: 2, perMs: 10_000 } }, events);
    for (const msat of [4_000, 5_000])
      expect(await json(await app.request('/v1/data', bid(msat)))).toMatchObject({ reason: 'counter_offer' });
    const over = await app.request('/v1/data', bid(6_000));
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('5');
    expect(await json(over)).toEqual(LIMITED(5));
    expect(n.calls).toBe(2);
    expect(events.filter((e) => e.type === 'rejected').map((e) => [e.reason, e.status])).toEqual([
      ['bid_rate_limited', 429],
    ]);
    await w.clock.advance(4_999);
    const early = await app.request('/v1/data', bid(6_000));
    expect([early.status, early.headers.get('retry-after')]).toEqual([429, '1']);
    expect(n.calls).toBe(2);
    await w.clock.advance(1);
    const again = await app.request('/v1/data', bid(6_000));
    expect(again.status).toBe(402);
    expect(await json(again)).toMatchObject({ reason: 'counter_offer', priceMsat: 8_000 });
    expect(n.calls).toBe(3);
  });

  it('never limits what does not ask the negotiator: with 1 call per 10 s, a bad bid, a spent chain and taking the standing offer cost nothing, the one call answers a bid, the next bid is 429', async () => {
    const w = makeWorld();
    const n = countingNegotiator();
    const app = seller(w, { negotiator: n, maxRounds: 1, negotiatorRate: { calls: 1, perMs: 10_000 } });
    expect((await app.request('/v1/data', bid('abc'))).status).toBe(400);
    // Taking the posted price: agreed at 10,000 without asking.
    const posted = await app.request('/v1/data', bid(10_000));
    expect(await json(posted)).toMatchObject({ reason: 'offer_accepted', priceMsat: 10_000 });
    const counter = await app.request('/v1/data', bid(4_000));
    expect(await json(counter)).toMatchObject({ reason: 'counter_offer', priceMsat: 8_000 });
    const offer = counter.headers.get('l402-offer')!;
    // The chain is spent (1 round): a lower bid is 403 no_deal, not a call.
    expect((await app.request('/v1/data', bid(5_000, offer))).status).toBe(403);
    // The bucket is empty now, and the standing counter can still be taken.
    const taken = await app.request('/v1/data', bid(8_000, offer));
    expect(taken.status).toBe(402);
    expect(await json(taken)).toMatchObject({ reason: 'offer_accepted', priceMsat: 8_000 });
    expect(challengeOf(taken).invoice).toMatch(/^lnbcrt/);
    const over = await app.request('/v1/data', bid(4_000));
    expect([over.status, over.headers.get('retry-after')]).toEqual([429, '10']);
    expect(await json(over)).toEqual(LIMITED(10, '1 bid per 10 s'));
    expect(n.calls).toBe(1);
  });

  it('limits a model negotiator by default to 60 calls a minute (the 61st bid is 429, Retry-After 1, the model asked 60 times) while a rule seller answers all 100 bids', async () => {
    let model = fakeModel();
    for (let i = 0; i < 61; i++)
      model = model.respondWithTools([{ name: 'reply', args: { action: 'counter', priceMsat: 9_000 } }]);
    const llm = seller(makeWorld(), { negotiator: llmSeller({ model, floorMsat: 6_000 }) });
    for (let i = 0; i < 60; i++) expect((await llm.request('/v1/data', bid(4_000))).status).toBe(402);
    const over = await llm.request('/v1/data', bid(4_000));
    expect([over.status, over.headers.get('retry-after')]).toEqual([429, '1']);
    expect(await json(over)).toEqual(LIMITED(1, '60 bids per 60 s'));
    expect(model.calls.length).toBe(60);
    const rule = seller(makeWorld(), { negotiator: ruleSeller({ floorMsat: 6_000 }) });
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) statuses.add((await rule.request('/v1/data', bid(4_000))).status);
    expect([...statuses]).toEqual([402]);
  });

  it('limits the same over a real socket as in memory, one bucket for every bidder of the paywall (1 call per 2 s: a bid over HTTP takes it, the next in memory is 429, Retry-After 2)', async () => {
    const w = makeWorld();
    const n = countingNegotiator();
    const app = seller(w, { negotiator: n, negotiatorRate: { calls: 1, perMs: 2_000 } });
    server = await listen(app.fetch);
    const base = server.url;
    const overHttp: Fetcher = (path, init) => fetch(base + path, init);
    const results: [number, string | null][] = [];
    for (const f of [overHttp, inMemory(app)]) {
      const res = await f('/v1/data', bid(4_000));
      results.push([res.status, res.headers.get('retry-after')]);
      await res.body?.cancel();
    }
    expect(results).toEqual([
      [402, null],
      [429, '2'],
    ]);
    expect(n.calls).toBe(1);
  });

  it.each([
    [{ calls: 0, perMs: 1_000 }],
    [{ calls: 1.5, perMs: 1_000 }],
    [{ calls: 1, perMs: 0 }],
    [{ calls: 1, perMs: Number.NaN }],
    [{ calls: 1, perMs: 5e-321 }],
    [{ calls: 1 }],
    [null],
  ])(
    'refuses negotiatorRate %j when the paywall is built, naming options.negotiation.negotiatorRate',
    (bad) => {
      const w = makeWorld();
      const build = () =>
        l402Paywall({
          ...w,
          node: w.seller,
          service: 'weather',
          price: 10_000,
          negotiation: { negotiator: ruleSeller({ floorMsat: 1 }), negotiatorRate: bad as never },
        });
      expect(build).toThrow(LabError);
      expect(build).toThrow(
        /^options\.negotiation\.negotiatorRate needs calls, a positive integer, and perMs/,
      );
    },
  );
});
