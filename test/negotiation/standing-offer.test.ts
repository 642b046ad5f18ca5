import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { ruleSeller } from '../../agents/negotiation/index.js';
import { appWith, challengeOf, json, makeWorld } from '../paywall/helpers.js';

/** The payload of an offer token (`v1.<payload>.<mac>`). */
function terms(offer: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(offer.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

const bid = (msat: number, offer?: string) => ({
  headers: { 'L402-Bid': String(msat), ...(offer ? { 'L402-Offer': offer } : {}) },
});

/** A seller posting `posted.msat` (changeable), floor 6,000, 2 rounds, offers valid 60 s. */
function seller() {
  const w = makeWorld();
  const posted = { msat: 10_000 };
  const app = appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      tiers: [{ tier: 0, price: () => posted.msat }],
      negotiation: { negotiator: ruleSeller({ floorMsat: 6_000 }), maxRounds: 2, offerLifetimeSec: 60 },
    }),
  );
  return { w, app, posted, t0: w.clock.now() };
}

describe('a standing offer taken again keeps its expiry and round', () => {
  it('re-issues a taken 6,000 msat counter with the counter expiry (t0 + 60 s) and round 0', async () => {
    const s = seller();
    const counter = await s.app.request('/v1/data', bid(2_000));
    expect(await json(counter)).toMatchObject({ reason: 'counter_offer', priceMsat: 6_000, round: 0 });
    await s.w.clock.advance(30_000);
    const taken = await s.app.request('/v1/data', bid(6_000, counter.headers.get('l402-offer')!));
    expect(await json(taken)).toMatchObject({
      reason: 'offer_accepted',
      priceMsat: 6_000,
      message: 'agreed at 6000 msat in round 0',
    });
    expect(terms(taken.headers.get('l402-offer')!)).toEqual({
      s: 'weather',
      t: 0,
      p: 6_000,
      r: 0,
      e: s.t0 + 60_000,
    });
  });

  it('sells the agreed 6,000 msat at t0 + 55 s after the posted price rose to 50,000, and answers 400 offer_expired at t0 + 60 s', async () => {
    const s = seller();
    const counter = await s.app.request('/v1/data', bid(2_000));
    const taken = await s.app.request('/v1/data', bid(6_000, counter.headers.get('l402-offer')!));
    s.posted.msat = 50_000;
    await s.w.clock.advance(55_000);
    const again = await s.app.request('/v1/data', bid(6_000, taken.headers.get('l402-offer')!));
    expect(decodeInvoice(challengeOf(again).invoice).amountMsat).toBe(6_000);
    const offer = again.headers.get('l402-offer')!;
    expect([terms(offer).e, terms(offer).r]).toEqual([s.t0 + 60_000, 0]);
    await s.w.clock.advance(5_000);
    const late = await s.app.request('/v1/data', bid(6_000, offer));
    expect(late.status).toBe(400);
    expect(await json(late)).toEqual({
      error: 'offer_expired',
      message: `the offer expired at ${s.t0 + 60_000} ms, now is ${s.t0 + 60_000} ms`,
    });
  });

  it("gives a new agreement a fresh 60 s: the seller's last-round acceptance of 6,000 at t0 + 30 s expires at t0 + 90 s, round 1", async () => {
    const s = seller();
    const counter = await s.app.request('/v1/data', bid(4_000));
    expect(await json(counter)).toMatchObject({ reason: 'counter_offer', priceMsat: 7_000, round: 0 });
    await s.w.clock.advance(30_000);
    // Round 1 is the last of 2: the rule seller accepts a bid at its floor, a new price.
    const accepted = await s.app.request('/v1/data', bid(6_000, counter.headers.get('l402-offer')!));
    expect(await json(accepted)).toMatchObject({
      reason: 'offer_accepted',
      priceMsat: 6_000,
      message: 'agreed at 6000 msat in round 1',
    });
    expect(terms(accepted.headers.get('l402-offer')!)).toEqual({
      s: 'weather',
      t: 0,
      p: 6_000,
      r: 1,
      e: s.t0 + 90_000,
    });
  });
});
