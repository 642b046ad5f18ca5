/**
 * An offer expires `offerLifetimeSec` after it is made, the clock read once the seller's negotiator
 * has answered: a slow reply never sends a counter or an acceptance already expired. A paywall whose
 * offers would not outlive a reply is refused when it is built.
 */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { l402Paywall, type SellerNegotiator, type SellerReply } from '../../services/paywall/index.js';
import { ruleSeller } from '../../services/sellers/rule-negotiator.js';
import { appWith, json, makeWorld, type World } from './helpers.js';

/** A negotiator that takes `ms` of the world's (virtual) clock to give `reply`. */
function slowNegotiator(w: World, ms: number, reply: SellerReply): SellerNegotiator {
  return {
    async reply() {
      await w.clock.advance(ms);
      return reply;
    },
  };
}

/** A seller posting 10,000 msat whose offers hold 2 s, its negotiator given up to 1,900 ms a reply. */
function seller(w: World, negotiator: SellerNegotiator) {
  return appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      negotiation: { negotiator, offerLifetimeSec: 2, replyTimeoutMs: 1_900 },
    }),
  );
}

const bid = (msat: number, offer?: string) => ({
  headers: { 'L402-Bid': String(msat), ...(offer ? { 'L402-Offer': offer } : {}) },
});

/** The expiry an offer token carries (its payload's `e`). */
function expiryOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { e: number }).e;
}

describe('an offer expires offerLifetimeSec after the negotiator answered, not after the bid arrived', () => {
  it('a counter from a negotiator taking 1,500 ms expires 2,000 ms after its reply, and taking it then agrees at 9,000', async () => {
    const w = makeWorld();
    const app = seller(w, slowNegotiator(w, 1_500, { kind: 'counter', priceMsat: 9_000 }));
    const received = w.clock.now();
    const res = await app.request('/v1/data', bid(5_000));
    const offer = res.headers.get('l402-offer')!;
    expect(await json(res)).toMatchObject({
      reason: 'counter_offer',
      priceMsat: 9_000,
      offerExpiresAtMs: received + 1_500 + 2_000,
    });
    expect(expiryOf(offer)).toBe(received + 3_500);
    await w.clock.advance(1_999);
    expect(await json(await app.request('/v1/data', bid(9_000, offer)))).toMatchObject({
      reason: 'offer_accepted',
      priceMsat: 9_000,
    });
  });

  it('an acceptance from a negotiator taking 1,500 ms carries an offer expiring 2,000 ms after its reply', async () => {
    const w = makeWorld();
    const app = seller(w, slowNegotiator(w, 1_500, { kind: 'accept' }));
    const received = w.clock.now();
    const res = await app.request('/v1/data', bid(5_000));
    expect(await json(res)).toMatchObject({ reason: 'offer_accepted', priceMsat: 5_000 });
    expect(expiryOf(res.headers.get('l402-offer')!)).toBe(received + 3_500);
  });
});

describe('a paywall whose offers would not outlive a negotiator reply is refused when built', () => {
  it.each([
    [{ offerLifetimeSec: 10 }, 'offerLifetimeSec (10 s) must be longer than replyTimeoutMs (10000 ms)'],
    [
      { offerLifetimeSec: 2, replyTimeoutMs: 2_000 },
      'offerLifetimeSec (2 s) must be longer than replyTimeoutMs (2000 ms)',
    ],
  ])('refuses %j: %s', (terms, problem) => {
    const w = makeWorld();
    const negotiation = { negotiator: ruleSeller({ floorMsat: 1 }), ...terms };
    expect(() =>
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000, negotiation }),
    ).toThrow(
      new LabError(
        'invalid_paywall_options',
        `options.negotiation.${problem}, the time a negotiator may take to reply: raise offerLifetimeSec or lower replyTimeoutMs`,
      ),
    );
  });
});
