/**
 * The Thompson decider reads a registry rating as many observations as
 * full-price purchases its weight (`paidMsat`) sums to, at most its number
 * of ratings: ten ratings of 1 msat each are not ten observations.
 */
import { describe, expect, it } from 'vitest';
import { ratingObservations, thompsonDecider } from '../../agents/buyer/deciders/index.js';
import type { OfferTerms, Task } from '../../agents/buyer/types.js';
import { createRng } from '../../infra/random.js';
import type { Listing } from '../../services/registry/types.js';

const task: Task = { id: 't', capability: 'data:read', calls: 1, valueMsat: 6_000 };

function offer(rating: Listing['rating'], tiers: Listing['tiers']): OfferTerms {
  const listing: Listing = {
    id: 'taker',
    name: 'taker',
    url: 'http://taker.test/v1/data',
    category: 'data',
    capabilities: ['data:read'],
    tiers,
    nodePubkey: '02'.padEnd(66, '0'),
    ...(rating && { rating }),
    createdAt: 0,
    updatedAt: 0,
    signedAt: 0,
  };
  return { listing, source: 'challenge', priceMsat: 5_000, covers: 1, valueMsat: 6_000 };
}

const single = [{ tier: 0, name: 'one call', kind: 'single' as const, calls: 1, priceMsat: 5_000 }];

describe('thompson: what a registry rating is worth', () => {
  it('ten 5-star ratings weighing 10 msat in all on a 5,000 msat listing are 0.002 observations: not enough to pay 5,000 for a 6,000 msat task', async () => {
    const o = offer({ average: 5, count: 10, paidMsat: 10 }, single);
    expect(ratingObservations(o.listing)).toBe(0.002);
    // Beta(1.002, 1): mean 0.5005 × 6,000 = 3,003 < 5,000 (read as 10 observations, Beta(11, 1) would buy).
    const c = await thompsonDecider(createRng(1)).choose([o], task);
    expect([c.index, c.reason]).toEqual([-1, 'thompson: no offer has a positive expected surplus']);
  });

  it('counts at most one observation per rating: three ratings weighing 1,000,000 msat are 3', () => {
    expect(ratingObservations(offer({ average: 5, count: 3, paidMsat: 1_000_000 }, single).listing)).toBe(3);
  });

  it('weighs in purchases of the dearest tier: 40,000 msat on a listing whose bundle costs 20,000 is 2 observations', () => {
    const tiers = [
      ...single,
      { tier: 1, name: 'five calls', kind: 'bundle' as const, calls: 5, priceMsat: 20_000 },
    ];
    expect(ratingObservations(offer({ average: 5, count: 8, paidMsat: 40_000 }, tiers).listing)).toBe(2);
  });

  it('a free listing’s rating is no observation', () => {
    const free = [{ ...single[0]!, priceMsat: 0 }];
    expect(ratingObservations(offer({ average: 5, count: 4, paidMsat: 400 }, free).listing)).toBe(0);
  });
});
