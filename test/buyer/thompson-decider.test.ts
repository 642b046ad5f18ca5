import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import type { Listing } from '../../services/registry/types.js';
import {
  betaDraw,
  createDecider,
  sellerOutcome,
  thompsonDecider,
  type Decider,
} from '../../agents/buyer/deciders/index.js';
import type { OfferTerms, Task } from '../../agents/buyer/types.js';
import type { PurchaseOutcome } from '../../agents/l402/index.js';

const task: Task = { id: 't', capability: 'anomalies:read', calls: 1, valueMsat: 8000 };

function offer(id: string, priceMsat: number, rating?: Listing['rating']): OfferTerms {
  const listing: Listing = {
    id,
    name: id,
    url: `http://${id}.test/v1/anomalies`,
    category: 'data',
    capabilities: ['anomalies:read'],
    tiers: [{ tier: 0, name: 'single call', kind: 'single', calls: 1, priceMsat }],
    nodePubkey: '02'.padEnd(66, '0'),
    ...(rating && { rating }),
    createdAt: 0,
    updatedAt: 0,
    signedAt: 0,
  };
  return { listing, source: 'challenge', priceMsat, covers: 1, valueMsat: 8000 };
}

/** How often each listing is chosen over `n` decisions. */
async function tally(d: Decider, offers: OfferTerms[], n: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const c = await d.choose(offers, task);
    const key = c.index < 0 ? 'none' : offers[c.index]!.listing.id;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const offers = [offer('taker', 1500), offer('honest', 2500)];

describe('thompson decider', () => {
  it('explores both sellers before it has evidence (seed 1: 100 decisions; P(taker) = 0.617 in theory)', async () => {
    expect(await tally(thompsonDecider(createRng(1)), offers, 100)).toEqual({ honest: 37, taker: 63 });
  });

  it('still tries a seller after three failures, and never again after four', async () => {
    const d = thompsonDecider(createRng(1));
    d.learn!([
      { listingId: 'taker', delivered: false },
      { listingId: 'taker', delivered: false },
      { listingId: 'taker', delivered: false },
      { listingId: 'honest', delivered: true },
    ]);
    // Beta(1, 4): mean 0.2 × 8000 = 1600 > 1500, still eligible; Beta(1, 5): 1333 < 1500, ruled out.
    expect(await tally(d, offers, 100)).toEqual({ honest: 88, taker: 12 });
    d.learn!([{ listingId: 'taker', delivered: false }]);
    expect(await tally(d, offers, 100)).toEqual({ honest: 100 });
  });

  it('buys nothing when no seller is expected to be worth its price', async () => {
    const d = thompsonDecider(createRng(1));
    d.learn!(Array.from({ length: 5 }, () => ({ listingId: 'taker', delivered: false })));
    const c = await d.choose([offer('taker', 1500)], task);
    expect(c.index).toBe(-1);
    expect(c.reason).toBe('thompson: no offer has a positive expected surplus');
  });

  it('reads a registry rating as at most ratingWeight pseudo-observations', async () => {
    // 500 ratings of full-price (1,500 msat) purchases.
    const rated = [
      offer('taker', 1500, { average: 1, count: 500, paidMsat: 750_000 }),
      offer('honest', 2500),
    ];
    const d = thompsonDecider(createRng(1), { ratingWeight: 2 });
    const c = await d.choose(rated, task);
    // Prior Beta(1, 1) plus two pseudo-failures from the 1-star rating: Beta(1, 3).
    expect(c.reason).toMatch(/^thompson: honest, delivery posterior Beta\(1, 1\)/);
    expect(await tally(d, rated, 100)).toEqual({ honest: 65, taker: 35 });
  });

  it('counts only outcomes that are the seller’s doing, for every outcome there is', () => {
    // A Record over the whole enum: a new outcome does not compile until it is placed here.
    const expected: Record<PurchaseOutcome, boolean | undefined> = {
      success: true,
      not_delivered: false,
      seller_error: false,
      token_rejected: false,
      token_refused: false,
      invoice_rejected: false,
      no_quote: false,
      slice_refused: false,
      policy_denied: undefined,
      over_budget: undefined,
      no_route: undefined,
      insufficient_balance: undefined,
      payment_timeout: undefined,
      payment_failed: undefined,
      quota_exhausted: undefined,
      rate_limited: undefined,
      escalated: undefined,
      no_agreement: undefined,
      bad_request: undefined,
      // The run ended before the seller answered: not the seller's doing.
      unfinished: undefined,
    };
    for (const [outcome, delivered] of Object.entries(expected) as [PurchaseOutcome, boolean | undefined][])
      expect(sellerOutcome('x', outcome)?.delivered, outcome).toBe(delivered);
  });

  it('is built from its declaration, and needs a seeded stream', () => {
    const clock = { now: () => 0, sleep: async () => {}, setTimer: () => () => {} };
    expect(createDecider({ name: 'thompson' }, { clock, rng: createRng(1) }).name).toBe('thompson');
    expect(() => createDecider('thompson', { clock })).toThrow(
      'the thompson decider needs deps.rng (seeded)',
    );
  });

  it('draws Beta(2, 6) with its mean 0.25 and variance 0.020833 (seed 1, 400000 draws)', () => {
    const rng = createRng(1);
    let sum = 0;
    let squares = 0;
    const n = 400_000;
    for (let i = 0; i < n; i++) {
      const x = betaDraw(rng, 2, 6);
      sum += x;
      squares += x * x;
    }
    const mean = sum / n;
    expect([mean.toFixed(6), (squares / n - mean * mean).toFixed(6)]).toEqual(['0.250074', '0.020820']);
  });
});
