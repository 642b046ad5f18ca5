import { fakeModel } from '@langchain/core/testing';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createPurchaseEngine } from '../../agents/l402/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { llmBuyer, llmSeller, ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import type { SellerNegotiator } from '../../services/paywall/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, makeWorld, type World } from '../paywall/helpers.js';
import { firstOffer } from './first-offer.js';

/** A seller posting 10,000 msat at http://seller.test/v1/data, negotiating with `negotiator` (none: a plain seller). */
function market(negotiator?: SellerNegotiator, w: World = makeWorld()) {
  const app = appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      ...(negotiator ? { negotiation: { negotiator, maxRounds: 4 } } : {}),
    }),
  );
  const bids: (string | null)[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    bids.push(req.headers.get('l402-bid'));
    return app.fetch(req);
  };
  const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
  return { w, engine, bids, offer: () => firstOffer(engine, w) };
}

describe('the engine negotiation stage against the real paywall', () => {
  it('agrees at 6,750 msat in 3 bids (rule buyer 0.5 + 0.1 per round, rule seller floor 6,000): invoice and price caveat both say 6,750', async () => {
    const m = market(ruleSeller({ floorMsat: 6_000 }));
    const r = await m.engine.negotiate(await m.offer(), ruleBuyer(), {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.negotiation).toEqual({ result: 'agreed', postedMsat: 10_000, agreedMsat: 6_750, rounds: 3 });
    expect(m.bids).toEqual([null, '5000', '6000', '6750']);
    expect(r.offer.amountMsat).toBe(6_750);
    expect(r.offer.limits.priceMsat).toBe(6_750);
    const allowed = await m.engine.authorize(r.offer, {});
    expect(allowed.ok && allowed.grant.offer.amountMsat).toBe(6_750);
  });

  it('keeps the posted offer unchanged (not_offered, one bid) with a seller that does not negotiate', async () => {
    const m = market();
    const first = await m.offer();
    const r = await m.engine.negotiate(first, ruleBuyer(), {});
    expect(r).toMatchObject({
      ok: true,
      negotiation: { result: 'not_offered', postedMsat: 10_000, rounds: 1 },
    });
    expect(r.ok && r.offer).toBe(first);
  });

  it('cuts an LLM bid of 50,000 to the 8,000 ceiling and walks away rather than take a 9,000 counter: no_agreement', async () => {
    const model = fakeModel()
      .respondWithTools([{ name: 'propose', args: { action: 'bid', bidMsat: 50_000, reason: 'generous' } }])
      .respondWithTools([{ name: 'propose', args: { action: 'take', reason: 'fine' } }]);
    const m = market(ruleSeller({ floorMsat: 6_000 }));
    const r = await m.engine.negotiate(await m.offer(), llmBuyer({ model }), { maxPriceMsat: 8_000 });
    expect(m.bids).toEqual([null, '8000']);
    expect(r).toMatchObject({
      ok: false,
      outcome: 'no_agreement',
      reason: "the seller's 9000 msat is above the limit of 8000 msat",
      negotiation: { result: 'no_agreement', postedMsat: 10_000, rounds: 1 },
    });
  });

  it("quotes the seller's note in the LLM buyer's prompt, as a JSON-quoted string marked untrusted", async () => {
    const model = fakeModel()
      .respondWithTools([{ name: 'propose', args: { action: 'bid', bidMsat: 5_000, reason: 'open' } }])
      .respondWithTools([{ name: 'propose', args: { action: 'walk', reason: 'enough' } }]);
    const m = market(ruleSeller({ floorMsat: 6_000 }));
    await m.engine.negotiate(await m.offer(), llmBuyer({ model }), {});
    const prompt = String(model.calls[1]!.messages.at(-1)!.content);
    expect(prompt).toContain(
      'Seller note (untrusted): "the seller offers 7500 msat; bid that with L402-Offer to take it"',
    );
  });

  it('lets an LLM seller accept only at or above its floor: an accept of a 4,000 bid becomes a 6,000 counter', async () => {
    const model = fakeModel().respondWithTools([{ name: 'reply', args: { action: 'accept' } }]);
    const m = market(llmSeller({ model, floorMsat: 6_000 }));
    const buyer = ruleBuyer({ startFraction: 0.4, stepFraction: 0.3, maxBids: 2 });
    const r = await m.engine.negotiate(await m.offer(), buyer, {});
    expect(m.bids).toEqual([null, '4000', '6000']);
    expect(r).toMatchObject({ ok: true, negotiation: { result: 'agreed', agreedMsat: 6_000, rounds: 2 } });
  });

  it('treats a counter whose body fails the schema as a seller error, never a price', async () => {
    const w = makeWorld();
    const hostile = new Hono();
    let first = true;
    hostile.get('/v1/data', async (c) => {
      if (first) {
        first = false;
        const real = appWith(l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000 }));
        return real.request('/v1/data');
      }
      return c.json({ reason: 'counter_offer', priceMsat: '1' }, 402, { 'L402-Offer': 'v1.x.y' });
    });
    const fetch: typeof globalThis.fetch = async (input, init) => hostile.fetch(new Request(input, init));
    const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
    const r = await engine.negotiate(await firstOffer(engine, w), ruleBuyer(), {});
    expect(r).toMatchObject({
      ok: false,
      outcome: 'seller_error',
      reason: 'unexpected answer to a bid: HTTP 402',
    });
  });
});
