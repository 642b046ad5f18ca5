import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client, createPurchaseEngine, type NegotiationRecord } from '../../agents/l402/index.js';
import { ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { allowAll } from '../../agents/policies/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { NegotiationAggregator } from '../../sim/metrics/negotiation.js';
import { makeMarket } from '../buyer/market.js';
import { appWith, makeWorld } from '../paywall/helpers.js';
import { firstOffer } from './first-offer.js';

/** A rule seller posting 10,000 msat (floor 6,000) whose paywall asks it once a minute, for all bidders. */
function onceAMinute() {
  return { negotiator: ruleSeller({ floorMsat: 6_000 }), negotiatorRate: { calls: 1, perMs: 60_000 } };
}

/** That seller at http://seller.test/v1/data (or `app`), an engine buying from it, and the bids it was sent (null: no bid). */
function market(app?: Hono) {
  const w = makeWorld();
  const seller =
    app ??
    appWith(
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000, negotiation: onceAMinute() }),
    );
  const bids: (string | null)[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    bids.push(req.headers.get('l402-bid'));
    return seller.fetch(req);
  };
  const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
  return { w, seller, engine, bids };
}

/** Another bidder takes the seller's one negotiator call of the minute. */
async function drain(fetch: (url: string, init: RequestInit) => Promise<Response>, url: string) {
  const res = await fetch(url, { headers: { 'L402-Bid': '4000' } });
  expect(res.status).toBe(402);
  await res.body?.cancel();
}

describe('a buyer whose bid is refused 429 (the seller rate-limits its negotiator)', () => {
  it('stops bidding after one 429 and goes on with the posted 10,000 msat offer it holds: rate_limited, refusal bid_rate_limited, 1 bid', async () => {
    const m = market();
    await drain((u, i) => Promise.resolve(m.seller.request(u, i)), '/v1/data');
    const first = await firstOffer(m.engine, m.w);
    const r = await m.engine.negotiate(first, ruleBuyer(), {});
    expect(m.bids).toEqual([null, '5000']);
    expect(r.ok && r.offer).toBe(first);
    expect(r.negotiation).toEqual({
      result: 'rate_limited',
      postedMsat: 10_000,
      rounds: 1,
      refusal: 'bid_rate_limited',
    });
  });

  it('takes the standing 7,500 msat counter after a 429 in round 1 (a take is never limited): agreed at 7,500 in 3 bids, refusal bid_rate_limited', async () => {
    const m = market();
    const r = await m.engine.negotiate(await firstOffer(m.engine, m.w), ruleBuyer(), {});
    expect(m.bids).toEqual([null, '5000', '6000', '7500']);
    expect(r.ok && [r.offer.amountMsat, r.offer.limits.priceMsat]).toEqual([7_500, 7_500]);
    expect(r.negotiation).toEqual({
      result: 'agreed',
      postedMsat: 10_000,
      agreedMsat: 7_500,
      rounds: 3,
      refusal: 'bid_rate_limited',
    });
  });

  it('never loops on a seller that answers every later bid 429 (plain text): one take of the counter, then the posted offer, rate_limited', async () => {
    const w = makeWorld();
    const real = appWith(
      l402Paywall({ ...w, node: w.seller, service: 'weather', price: 10_000, negotiation: onceAMinute() }),
    );
    let bids = 0;
    const hostile = new Hono();
    hostile.get('/v1/data', (c) =>
      c.req.header('l402-bid') !== undefined && ++bids > 1 ? c.text('slow down', 429) : real.fetch(c.req.raw),
    );
    const m = market(hostile);
    const first = await firstOffer(m.engine, m.w);
    const r = await m.engine.negotiate(first, ruleBuyer(), {});
    expect(m.bids).toEqual([null, '5000', '6000', '7500']);
    expect(r.ok && r.offer).toBe(first);
    expect(r.negotiation).toEqual({
      result: 'rate_limited',
      postedMsat: 10_000,
      rounds: 3,
      refusal: 'rate_limited',
    });
  });

  it('buys once at the posted 10,000 msat through the buyer graph when its first bid is refused 429: paid 10,000, one authorized call', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, negotiation: onceAMinute() });
    const records: NegotiationRecord[] = [];
    const agent = createBuyerAgent({
      name: 'haggler',
      registry: await m.registry(),
      client: createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }),
      decider: createDecider('cheapest', { clock: m.clock }),
      clock: m.clock,
      negotiator: ruleBuyer(),
      onNegotiation: (r) => records.push(r),
    });
    await drain(m.fetch, s.url);
    const r = await agent.runTask({ id: 't-neg', capability: 'data', valueMsat: 100_000, calls: 1 });
    expect(r.done).toBe(true);
    expect(records).toEqual([
      { result: 'rate_limited', postedMsat: 10_000, rounds: 1, refusal: 'bid_rate_limited', seller: 'alpha' },
    ]);
    expect(r.purchases.map((p) => [p.outcome, p.paidMsat])).toEqual([['success', 10_000]]);
    expect(s.events.filter((e) => e.type === 'authorized')).toHaveLength(1);
    expect(s.events.filter((e) => e.type === 'rejected').map((e) => [e.reason, e.status])).toEqual([
      ['bid_rate_limited', 429],
    ]);
  });

  it("counts a rate_limited negotiation in the simulator's stats as one without agreement, saving nothing", () => {
    const n = new NegotiationAggregator();
    n.add('g', { result: 'rate_limited', postedMsat: 10_000, rounds: 1, refusal: 'bid_rate_limited' });
    expect(n.result().g).toMatchObject({
      negotiations: 1,
      agreed: 0,
      noAgreement: 1,
      failureRate: 1,
      postedMsat: 0,
      savingsMsat: 0,
    });
  });
});
