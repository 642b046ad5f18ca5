import { describe, expect, it } from 'vitest';
import {
  createPurchaseEngine,
  type BuyerNegotiator,
  type BuyerTurn,
  type PurchaseHints,
} from '../../agents/l402/index.js';
import { describe as describeTurn } from '../../agents/negotiation/buyer-llm.js';
import { ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { l402Paywall, type SellerNegotiator } from '../../services/paywall/index.js';
import { appWith, makeWorld } from '../paywall/helpers.js';
import { firstOffer } from './first-offer.js';

/**
 * A seller posting 10,000 msat that negotiates for `maxRounds` rounds, an engine, and the bids it was
 * sent (null: no bid); `roundsLeft` replaces the field in its counters' bodies when given.
 */
function market(
  maxRounds: number,
  negotiator: SellerNegotiator = ruleSeller({ floorMsat: 8_000 }),
  roundsLeft?: unknown,
) {
  const w = makeWorld();
  const seller = appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 10_000,
      negotiation: { negotiator, maxRounds },
    }),
  );
  const bids: (string | null)[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    bids.push(req.headers.get('l402-bid'));
    const res = await seller.fetch(req);
    if (roundsLeft === undefined || res.status !== 402 || res.headers.has('www-authenticate')) return res;
    const body = { ...((await res.json()) as object), roundsLeft };
    return new Response(JSON.stringify(body), { status: 402, headers: res.headers });
  };
  const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
  const negotiate = async (n: BuyerNegotiator, hints: PurchaseHints = {}) => {
    const first = await firstOffer(engine, w);
    return { first, r: await engine.negotiate(first, n, hints) };
  };
  return { negotiate, bids };
}

/** A negotiator that bids 5,000 msat whatever the seller says, and keeps the turns it was shown. */
function stubborn(turns: BuyerTurn[] = []): BuyerNegotiator {
  return {
    name: 'stubborn',
    next: (t) => {
      turns.push(t);
      return { kind: 'bid', bidMsat: 5_000 };
    },
  };
}

describe('a seller with fewer rounds than the buyer bids (403 no_deal: its rounds are used)', () => {
  it.each([
    [1, ['5000', '8000'], 2],
    [2, ['5000', '6000', '8000'], 3],
  ])(
    'the rule buyer takes the last-round counter of 8,000 msat (seller maxRounds %i): bids %j, agreed at 8,000',
    async (maxRounds, bids, rounds) => {
      const m = market(maxRounds);
      const { r } = await m.negotiate(ruleBuyer(), { taskValueMsat: 50_000 });
      expect(m.bids).toEqual([null, ...bids]);
      expect(r.ok && r.offer.amountMsat).toBe(8_000);
      expect(r.negotiation).toEqual({ result: 'agreed', postedMsat: 10_000, agreedMsat: 8_000, rounds });
    },
  );

  it('shows the negotiator roundsLeft 0 after the 8,000 msat counter of a 1-round seller, and none after counters whose roundsLeft is -1, 1.5 or "0"', async () => {
    const seen = async (roundsLeft?: unknown) => {
      const turns: BuyerTurn[] = [];
      await market(1, undefined, roundsLeft).negotiate(stubborn(turns));
      return turns.map((t) => [t.askMsat, t.roundsLeft]);
    };
    expect(await seen()).toEqual([
      [10_000, undefined],
      [8_000, 0],
    ]);
    for (const malformed of [-1, 1.5, '0'])
      expect(await seen(malformed)).toEqual([
        [10_000, undefined],
        [8_000, undefined],
      ]);
  });

  it('takes the standing 8,000 msat counter once a bid below it is refused no_deal: bids 5,000, 5,000, 8,000, agreed, refusal no_deal', async () => {
    const m = market(1);
    const { r } = await m.negotiate(stubborn());
    expect(m.bids).toEqual([null, '5000', '5000', '8000']);
    expect(r.ok && r.offer.amountMsat).toBe(8_000);
    expect(r.negotiation).toEqual({
      result: 'agreed',
      postedMsat: 10_000,
      agreedMsat: 8_000,
      rounds: 3,
      refusal: 'no_deal',
    });
  });

  it('goes on with the posted 10,000 msat offer when the standing 8,000 counter is above its 7,000 limit: refused, 2 bids, no take', async () => {
    const m = market(1);
    const { first, r } = await m.negotiate(stubborn(), { maxPriceMsat: 7_000 });
    expect(m.bids).toEqual([null, '5000', '5000']);
    expect(r.ok && r.offer).toBe(first);
    expect(r.negotiation).toEqual({ result: 'refused', postedMsat: 10_000, rounds: 2, refusal: 'no_deal' });
  });

  it('goes on with the posted offer when the seller refuses the first bid (no counter to take): refused, 1 bid', async () => {
    const m = market(4, { reply: () => ({ kind: 'refuse', reason: 'too low' }), costFree: true });
    const { first, r } = await m.negotiate(stubborn());
    expect(m.bids).toEqual([null, '5000']);
    expect(r.ok && r.offer).toBe(first);
    expect(r.negotiation).toEqual({ result: 'refused', postedMsat: 10_000, rounds: 1, refusal: 'no_deal' });
  });
});

describe('the buyer negotiators at the seller last round (roundsLeft 0)', () => {
  const turn = (askMsat: number): BuyerTurn => ({
    postedMsat: 10_000,
    askMsat,
    limitMsat: 10_000,
    round: 1,
    bids: [5_000],
    counters: [askMsat],
    roundsLeft: 0,
  });

  it('takes a counter within its reservation of 9,000 msat and walks from one above it', () => {
    const buyer = ruleBuyer({ reservationFraction: 0.9 });
    expect(buyer.next(turn(9_000))).toEqual({ kind: 'take' });
    expect(buyer.next(turn(9_001))).toEqual({
      kind: 'walk',
      reason: "the seller's 9001 msat is above 9000 msat",
    });
  });

  it("the llm buyer prompt ends with the seller's rounds left, 0", () => {
    expect(describeTurn(turn(9_000)).split('\n').at(-1)).toBe(
      'Rounds the seller says it has left: 0 (at 0 it refuses any bid below its standing offer).',
    );
  });
});
