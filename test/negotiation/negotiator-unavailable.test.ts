/**
 * A seller's negotiator that fails answers a bid 503 `negotiation_unavailable`:
 * the buyer bids no more and buys at the posted price (or takes a standing
 * counter), as after a 429, paying one offer at most; any other 503 is the
 * seller failing and ends the purchase as `seller_error`.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createPurchaseEngine } from '../../agents/l402/index.js';
import { ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { l402Paywall, type SellerNegotiator } from '../../services/paywall/index.js';
import { appWith, makeWorld } from '../paywall/helpers.js';
import { firstOffer } from './first-offer.js';

/** A negotiator that counters like a rule seller (floor 6,000) for its first `works` replies, then throws. */
function failingAfter(works: number): SellerNegotiator {
  const rule = ruleSeller({ floorMsat: 6_000 });
  let replies = 0;
  return {
    reply(t) {
      if (++replies > works) throw new Error('provider down');
      return rule.reply(t);
    },
  };
}

/** An engine buying from `app` at http://seller.test/v1/data, and the bids it sent (null: no bid). */
function market(app: { fetch: (req: Request) => Response | Promise<Response> }, w = makeWorld()) {
  const bids: (string | null)[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    bids.push(req.headers.get('l402-bid'));
    return app.fetch(req);
  };
  return {
    w,
    bids,
    engine: createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() }),
  };
}

/** A 10,000 msat seller whose negotiator is `negotiator`. */
function seller(negotiator: SellerNegotiator) {
  const w = makeWorld();
  const app = appWith(
    l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000, negotiation: { negotiator } }),
  );
  return { w, app };
}

describe('a bid answered 503 negotiation_unavailable', () => {
  it('on the first bid: the buyer goes on with the posted 10,000 msat offer it holds, 1 bid, result unavailable', async () => {
    const s = seller(failingAfter(0));
    const m = market(s.app, s.w);
    const first = await firstOffer(m.engine, m.w);
    const r = await m.engine.negotiate(first, ruleBuyer(), {});
    expect(m.bids).toEqual([null, '5000']);
    expect(r.ok && r.offer).toBe(first);
    expect(r.negotiation).toEqual({
      result: 'unavailable',
      postedMsat: 10_000,
      rounds: 1,
      refusal: 'negotiation_unavailable',
    });
  });

  it('after a 7,500 msat counter: the buyer takes the counter (a take asks no negotiator) and agrees at 7,500 in 3 bids', async () => {
    const s = seller(failingAfter(1));
    const m = market(s.app, s.w);
    const r = await m.engine.negotiate(await firstOffer(m.engine, m.w), ruleBuyer(), {});
    expect(m.bids).toEqual([null, '5000', '6000', '7500']);
    expect(r.ok && [r.offer.amountMsat, r.offer.limits.priceMsat]).toEqual([7_500, 7_500]);
    expect(r.negotiation).toEqual({
      result: 'agreed',
      postedMsat: 10_000,
      agreedMsat: 7_500,
      rounds: 3,
      refusal: 'negotiation_unavailable',
    });
  });

  it('a 503 with another code ends the purchase as seller_error, naming the status and code, nothing taken', async () => {
    const s = seller(failingAfter(0));
    const overloaded = new Hono();
    overloaded.get('/v1/data', (c) =>
      c.req.header('l402-bid') !== undefined
        ? c.json({ error: 'overloaded', message: 'busy' }, 503)
        : s.app.fetch(c.req.raw),
    );
    const m = market(overloaded, s.w);
    const r = await m.engine.negotiate(await firstOffer(m.engine, m.w), ruleBuyer(), {});
    expect(m.bids).toEqual([null, '5000']);
    expect(r.ok).toBe(false);
    expect(!r.ok && [r.outcome, r.reason]).toEqual([
      'seller_error',
      'unexpected answer to a bid: HTTP 503 overloaded',
    ]);
    expect(r.negotiation).toEqual({ result: 'no_agreement', postedMsat: 10_000, rounds: 1 });
  });
});
