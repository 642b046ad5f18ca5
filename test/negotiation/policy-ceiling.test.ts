import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client, createPurchaseEngine, type NegotiationRecord } from '../../agents/l402/index.js';
import { ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { allowAll, createPolicy, type PolicySpec } from '../../agents/policies/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { makeMarket } from '../buyer/market.js';
import { appWith, makeWorld } from '../paywall/helpers.js';
import { firstOffer } from './first-offer.js';

const task = { id: 't-cap', capability: 'data', valueMsat: 30_000, calls: 1 };

/**
 * A seller posting 6,000 msat that negotiates down to 3,000 in 4 rounds, and a buyer bidding up to 60%
 * of the posted price under `policy`; what it bought, its negotiations and the bids the seller saw.
 */
async function haggle(policy: PolicySpec) {
  const m = makeMarket();
  const s = m.addSeller({
    name: 'alpha',
    priceMsat: 6_000,
    negotiation: { negotiator: ruleSeller({ floorMsat: 3_000 }), maxRounds: 4 },
  });
  const bids: (string | null)[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    bids.push(new Request(input, init).headers.get('l402-bid'));
    return m.fetch(input, init);
  };
  const records: NegotiationRecord[] = [];
  const agent = createBuyerAgent({
    name: 'haggler',
    registry: await m.registry(),
    client: createL402Client({ node: m.buyer, fetch, clock: m.clock }),
    decider: createDecider('cheapest', { clock: m.clock }),
    clock: m.clock,
    policy: createPolicy(policy, { clock: m.clock }),
    negotiator: ruleBuyer({ reservationFraction: 0.6 }),
    onNegotiation: (r) => records.push(r),
  });
  const r = await agent.runTask(task);
  return { r, s, records, bids };
}

describe('the buyer graph bids no higher than its payment policy lets it pay', () => {
  it('max_per_request 3,000 msat: bids 3,000 four times and agrees at 3,000 (not 3,600), paid 3,000', async () => {
    const h = await haggle({ name: 'max_per_request', params: { maxMsat: 3_000 } });
    expect(h.bids.filter((b) => b !== null)).toEqual(['3000', '3000', '3000', '3000']);
    expect(h.records).toEqual([
      { result: 'agreed', postedMsat: 6_000, agreedMsat: 3_000, rounds: 4, seller: 'alpha' },
    ]);
    expect(h.r.done).toBe(true);
    expect(h.r.purchases.map((p) => [p.outcome, p.paidMsat])).toEqual([['success', 3_000]]);
  });

  it('a budget with less left than the fee ceiling (900 msat): no bid at all, the posted offer refused over_budget by the budget', async () => {
    const h = await haggle({ name: 'budget_window', params: { limitMsat: 900 } });
    expect(h.bids.filter((b) => b !== null)).toEqual([]);
    expect(h.records).toEqual([]);
    expect(h.r.purchases.map((p) => [p.outcome, p.quotedMsat, p.reason])).toEqual([
      [
        'over_budget',
        6_000,
        'budget_window: 7000 msat (price + fee ceiling) would exceed the limit of 900 msat (spent 0, reserved 0)',
      ],
    ]);
  });
});

describe('a negotiation whose limit is 0 msat (a ceiling or value that leaves nothing)', () => {
  it('sends no bid (never a bid of 0): no_agreement naming the limit, 0 rounds', async () => {
    const w = makeWorld();
    const seller = appWith(
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'weather',
        price: 10_000,
        negotiation: { negotiator: ruleSeller({ floorMsat: 3_000 }) },
      }),
    );
    const bids: (string | null)[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const req = new Request(input, init);
      bids.push(req.headers.get('l402-bid'));
      return seller.fetch(req);
    };
    const engine = createPurchaseEngine({ node: w.buyer, fetch, clock: w.clock, policy: allowAll() });
    const r = await engine.negotiate(await firstOffer(engine, w), ruleBuyer(), { maxPriceMsat: 0 });
    expect(bids).toEqual([null]);
    expect(r).toEqual({
      ok: false,
      outcome: 'no_agreement',
      reason: 'the limit of 0 msat leaves no price to bid',
      status: 402,
      negotiation: { result: 'no_agreement', postedMsat: 10_000, rounds: 0 },
    });
  });
});
