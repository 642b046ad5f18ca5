import { describe, expect, it } from 'vitest';
import { Macaroon, formatAuthorization } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { SellerNegotiator } from '../../services/paywall/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { LabError } from '../../infra/errors.js';
import { ruleSeller } from '../../services/sellers/rule-negotiator.js';
import { appWith, challengeOf, json, makeWorld, payInvoice, type World } from './helpers.js';

/** A seller posting 10,000 msat with a floor of 6,000 and `maxRounds` rounds. */
function negotiatingApp(
  w: World,
  negotiator: SellerNegotiator = ruleSeller({ floorMsat: 6_000 }),
  maxRounds = 3,
) {
  return appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      negotiation: { negotiator, maxRounds, offerLifetimeSec: 60 },
    }),
  );
}

const bid = (msat: number | string, offer?: string) => ({
  headers: { 'L402-Bid': String(msat), ...(offer ? { 'L402-Offer': offer } : {}) },
});

describe('l402Paywall negotiation: bids, counters, agreement', () => {
  it('counters a first bid of 4,000 against a 10,000 posted price at the midpoint, 7,000, with no invoice', async () => {
    const app = negotiatingApp(makeWorld());
    const res = await app.request('/v1/data', bid(4_000));
    expect(res.status).toBe(402);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.headers.get('l402-offer')).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await json(res)).toMatchObject({
      error: 'payment_required',
      reason: 'counter_offer',
      priceMsat: 7_000,
      round: 0,
      roundsLeft: 2,
      offerExpiresAtMs: w0() + 60_000,
    });
  });

  it('sells at the counter price when the buyer bids it with the offer token: invoice of 7,000 msat and a weather_price=7000 caveat that opens the route', async () => {
    const w = makeWorld();
    const app = negotiatingApp(w);
    const counter = await app.request('/v1/data', bid(4_000));
    const offer = counter.headers.get('l402-offer')!;
    const agreed = await app.request('/v1/data', bid(7_000, offer));
    expect(agreed.status).toBe(402);
    expect(await json(agreed)).toMatchObject({ reason: 'offer_accepted', priceMsat: 7_000 });
    const ch = challengeOf(agreed);
    expect(decodeInvoice(ch.invoice).amountMsat).toBe(7_000);
    expect(Macaroon.fromBase64(ch.macaroon).caveats).toEqual(['services=weather:0', 'weather_price=7000']);
    const preimage = await payInvoice(w, w.buyer, ch.invoice);
    const paid = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon: ch.macaroon, preimage }) },
    });
    expect(paid.status).toBe(200);
  });

  it('walks the rule seller down 10,000 -> 7,000 -> 6,000 and accepts a bid of 6,000 in the last round', async () => {
    const app = negotiatingApp(makeWorld());
    const r0 = await app.request('/v1/data', bid(4_000));
    const r1 = await app.request('/v1/data', bid(5_000, r0.headers.get('l402-offer')!));
    expect(await json(r1)).toMatchObject({
      reason: 'counter_offer',
      priceMsat: 6_000,
      round: 1,
      roundsLeft: 1,
    });
    const r2 = await app.request('/v1/data', bid(6_000, r1.headers.get('l402-offer')!));
    expect(await json(r2)).toMatchObject({ reason: 'offer_accepted', priceMsat: 6_000 });
    expect(decodeInvoice(challengeOf(r2).invoice).amountMsat).toBe(6_000);
  });

  it('refuses with 403 no_deal a bid below the standing offer once all rounds are used', async () => {
    const app = negotiatingApp(makeWorld(), ruleSeller({ floorMsat: 6_000 }), 1);
    const r0 = await app.request('/v1/data', bid(1_000));
    expect(await json(r0)).toMatchObject({ reason: 'counter_offer', priceMsat: 6_000, roundsLeft: 0 });
    const r1 = await app.request('/v1/data', bid(5_999, r0.headers.get('l402-offer')!));
    expect(r1.status).toBe(403);
    expect(await json(r1)).toMatchObject({ error: 'no_deal' });
  });

  it('accepts a bid at or above the posted price at the posted price, 10,000 msat', async () => {
    const app = negotiatingApp(makeWorld());
    const res = await app.request('/v1/data', bid(12_000));
    expect(await json(res)).toMatchObject({ reason: 'offer_accepted', priceMsat: 10_000 });
    expect(decodeInvoice(challengeOf(res).invoice).amountMsat).toBe(10_000);
  });

  it('answers a plain request (no bid) as before: the posted price and no price caveat', async () => {
    const app = negotiatingApp(makeWorld());
    const res = await app.request('/v1/data');
    expect(await json(res)).toMatchObject({ reason: 'missing', priceMsat: 10_000 });
    expect(Macaroon.fromBase64(challengeOf(res).macaroon).caveats).toEqual(['services=weather:0']);
  });

  it('ignores L402-Bid on a paywall without negotiation: the ordinary 402 at the posted price', async () => {
    const w = makeWorld();
    const app = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000 }));
    const res = await app.request('/v1/data', bid(1));
    expect(await json(res)).toMatchObject({ reason: 'missing', priceMsat: 10_000 });
  });

  it.each([['0'], ['-5'], ['1.5'], ['abc'], ['99999999999999999']])(
    'answers 400 bad_bid to L402-Bid %j',
    async (value) => {
      const res = await negotiatingApp(makeWorld()).request('/v1/data', bid(value));
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ error: 'bad_bid' });
    },
  );

  it('answers 503 with Retry-After and a fixed message when the negotiator throws, never a price nor its error text', async () => {
    const broken = {
      reply() {
        throw new Error('401 invalid key: Bearer sk-lab-secret-0123456789');
      },
    } satisfies SellerNegotiator;
    const res = await negotiatingApp(makeWorld(), broken).request('/v1/data', bid(4_000));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await json(res)).toEqual({
      error: 'negotiation_unavailable',
      message: "the seller's negotiator is unavailable",
    });
  });

  it('answers 503 negotiation_unavailable when an asynchronous negotiator does not reply within replyTimeoutMs, and aborts its call', async () => {
    const w = makeWorld();
    const signals: (AbortSignal | undefined)[] = [];
    const silent = {
      reply: (_t, signal?: AbortSignal) => {
        signals.push(signal);
        return new Promise<never>(() => {});
      },
    } satisfies SellerNegotiator;
    const app = appWith(
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'weather',
        price: 10_000,
        negotiation: { negotiator: silent, replyTimeoutMs: 5 },
      }),
    );
    const res = await app.request('/v1/data', bid(4_000));
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({
      error: 'negotiation_unavailable',
      message: "the seller's negotiator gave no answer within 5 ms",
    });
    expect(signals.map((sig) => sig?.aborted)).toEqual([true]);
  });

  it('clamps a counter above the standing offer to the standing offer (10,000), and takes a counter at or below the bid as acceptance of the bid', async () => {
    const greedy = {
      reply: () => ({ kind: 'counter' as const, priceMsat: 50_000 }),
    } satisfies SellerNegotiator;
    expect(
      await json(await negotiatingApp(makeWorld(), greedy).request('/v1/data', bid(4_000))),
    ).toMatchObject({
      reason: 'counter_offer',
      priceMsat: 10_000,
    });
    const low = { reply: () => ({ kind: 'counter' as const, priceMsat: 3_000 }) } satisfies SellerNegotiator;
    expect(await json(await negotiatingApp(makeWorld(), low).request('/v1/data', bid(4_000)))).toMatchObject({
      reason: 'offer_accepted',
      priceMsat: 4_000,
    });
  });

  it.each([
    [{ maxRounds: 0 }, 'maxRounds'],
    [{ maxRounds: 17 }, 'maxRounds'],
    [{ offerLifetimeSec: 0 }, 'offerLifetimeSec'],
    [{ offerKey: new Uint8Array(16) }, 'offerKey'],
    [{ replyTimeoutMs: 0 }, 'replyTimeoutMs'],
  ])('refuses negotiation option %j when the paywall is built, naming %s', (bad, name) => {
    const w = makeWorld();
    const build = () =>
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'weather',
        price: 10_000,
        negotiation: { negotiator: ruleSeller({ floorMsat: 1 }), ...bad },
      });
    expect(build).toThrow(LabError);
    expect(build).toThrow(name);
  });
});

/** The virtual clock's start (every world starts at the same instant). */
function w0(): number {
  return makeWorld().clock.now();
}
