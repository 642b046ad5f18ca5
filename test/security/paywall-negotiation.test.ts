import { describe, expect, it } from 'vitest';
import { attenuate, caveats, formatAuthorization } from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { l402Paywall, signOffer, type PaywallEvent } from '../../services/paywall/index.js';
import { ruleSeller } from '../../services/sellers/rule-negotiator.js';
import { appWith, challengeOf, json, makeWorld, payInvoice, type World } from '../paywall/helpers.js';

const KEY = new Uint8Array(32).fill(7);

/** A negotiating seller posting 10,000 msat (floor 6,000, 2 rounds, offers valid 60 s) under a fixed offer key. */
function seller(w: World, events: PaywallEvent[] = [], tiers = false) {
  return appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      ...(tiers
        ? {
            tiers: [
              { tier: 0, price: 10_000 },
              { tier: 1, price: 50_000, maxCalls: 10 },
            ],
          }
        : { price: 10_000 }),
      negotiation: { negotiator: ruleSeller({ floorMsat: 6_000 }), maxRounds: 2, offerKey: KEY },
      onEvent: (e) => events.push(e),
    }),
  );
}

const bid = (msat: number, offer?: string, extra: Record<string, string> = {}) => ({
  headers: { 'L402-Bid': String(msat), ...(offer ? { 'L402-Offer': offer } : {}), ...extra },
});

describe('negotiated price: the token carries the price it was sold for', () => {
  it('refuses (402 price_mismatch) a token whose price caveat (1,000) differs from its paid invoice (10,000)', async () => {
    const w = makeWorld();
    const events: PaywallEvent[] = [];
    const app = seller(w, events);
    const ch = challengeOf(await app.request('/v1/data'));
    const preimage = await payInvoice(w, w.buyer, ch.invoice);
    // The seller's own key signs a token for the paid invoice but names another price
    // (as a bug, or a second paywall sharing the root keys, would).
    const paymentHash = decodeInvoice(ch.invoice).paymentHash;
    const { token } = await w.minter.mint({
      paymentHash,
      caveats: [caveats.services([{ name: 'weather', tier: 0 }]), caveats.price('weather', 1_000)],
    });
    const res = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon: token, preimage }) },
    });
    expect(res.status).toBe(402);
    expect(await json(res)).toMatchObject({ reason: 'price_mismatch' });
    expect(events.filter((e) => e.type === 'rejected').map((e) => e.reason)).toEqual(['price_mismatch']);
  });

  it('refuses (402 widening_caveat) a negotiated token attenuated with another price', async () => {
    const w = makeWorld();
    const app = seller(w);
    const agreed = await app.request('/v1/data', bid(10_000));
    const ch = challengeOf(agreed);
    const preimage = await payInvoice(w, w.buyer, ch.invoice);
    // attenuate() refuses it too; the paywall must refuse one built by hand.
    expect(() => attenuate(ch.macaroon, ['weather_price=1'])).toThrow(/differs/);
    const { Macaroon } = await import('../../infra/l402/index.js');
    const forged = Macaroon.fromBase64(ch.macaroon).addFirstPartyCaveat('weather_price=1').toBase64();
    const res = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon: forged, preimage }) },
    });
    expect(res.status).toBe(402);
    expect(await json(res)).toMatchObject({ reason: 'widening_caveat' });
  });

  it('answers 503 token_state_unknown, not a fresh invoice, when the node cannot say what the invoice was for', async () => {
    const w = makeWorld();
    const app = seller(w);
    const ch = challengeOf(await app.request('/v1/data', bid(10_000)));
    const preimage = await payInvoice(w, w.buyer, ch.invoice);
    const lookup = w.seller.lookupInvoice.bind(w.seller);
    w.seller.lookupInvoice = () =>
      Promise.reject(new Error('GET https://10.0.0.5:8080/v1/invoice: ECONNREFUSED'));
    const auth = { authorization: formatAuthorization({ macaroon: ch.macaroon, preimage }) };
    const down = await app.request('/v1/data', { headers: auth });
    expect(down.status).toBe(503);
    expect(((await json(down)) as { message: string }).message).toMatch(
      /^cannot tell what invoice [0-9a-f]{64} was for \(the seller's node did not answer\); retry later with the same token$/,
    );
    expect(down.headers.get('www-authenticate')).toBeNull();
    w.seller.lookupInvoice = lookup;
    expect((await app.request('/v1/data', { headers: auth })).status).toBe(200);
  });
});

describe('offer tokens cannot be forged or replayed for another price', () => {
  it('refuses (400 bad_offer) an offer whose price was edited, keeping the MAC', async () => {
    const app = seller(makeWorld());
    const offer = (await app.request('/v1/data', bid(2_000))).headers.get('l402-offer')!;
    const [v, payload, mac] = offer.split('.');
    const terms = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, number>;
    expect(terms.p).toBe(6_000);
    const edited = Buffer.from(JSON.stringify({ ...terms, p: 1 })).toString('base64url');
    const res = await app.request('/v1/data', bid(1, `${v}.${edited}.${mac}`));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'bad_offer' });
  });

  it('refuses (400 bad_offer) an offer signed with another key, for another tier, or malformed', async () => {
    const w = makeWorld();
    const app = seller(w, [], true);
    const now = w.clock.now();
    const terms = { service: 'weather', tier: 0, priceMsat: 1, round: 0, expiresAtMs: now + 60_000 };
    const cases = [
      signOffer(new Uint8Array(32).fill(8), terms),
      signOffer(KEY, { ...terms, tier: 1 }),
      signOffer(KEY, { ...terms, service: 'other' }),
      'v1.e30.AAAA',
      'x'.repeat(600),
    ];
    for (const offer of cases) {
      const res = await app.request('/v1/data', bid(1, offer));
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ error: 'bad_offer' });
    }
    // The same terms under the right key are honoured: the tokens above failed on their MAC or binding alone.
    const good = await app.request('/v1/data', bid(1, signOffer(KEY, terms)));
    expect(await json(good)).toMatchObject({ reason: 'offer_accepted', priceMsat: 1 });
  });

  it('refuses (400 offer_expired) an offer presented at its expiry instant', async () => {
    const w = makeWorld();
    const app = seller(w);
    const offer = (await app.request('/v1/data', bid(2_000))).headers.get('l402-offer')!;
    await w.clock.advance(60_000);
    const res = await app.request('/v1/data', bid(6_000, offer));
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ error: 'offer_expired' });
  });

  it('replays an accepted 6,000 msat offer only at 6,000: a lower bid with it is a 6,000 counter in the last round, and a lower bid with that is 403 no_deal', async () => {
    const app = seller(makeWorld());
    const r0 = await app.request('/v1/data', bid(2_000));
    const accepted = await app.request('/v1/data', bid(6_000, r0.headers.get('l402-offer')!));
    expect(await json(accepted)).toMatchObject({ reason: 'offer_accepted', priceMsat: 6_000 });
    const offer = accepted.headers.get('l402-offer')!;
    const again = await app.request('/v1/data', bid(6_000, offer));
    expect(decodeInvoice(challengeOf(again).invoice).amountMsat).toBe(6_000);
    // Taking is not a round: the accepted offer is the round-0 offer, so a lower bid with it is round 1, the last.
    const lower = await app.request('/v1/data', bid(5_000, offer));
    expect(await json(lower)).toMatchObject({
      reason: 'counter_offer',
      priceMsat: 6_000,
      round: 1,
      roundsLeft: 0,
    });
    const last = await app.request('/v1/data', bid(5_000, lower.headers.get('l402-offer')!));
    expect(last.status).toBe(403);
    expect(await json(last)).toMatchObject({ error: 'no_deal' });
  });
});
