import { describe, expect, it } from 'vitest';
import { PriceOrder } from '../../services/registry/price-order.js';
import type { Listing } from '../../services/registry/types.js';

const listing = (id: string, ...prices: number[]): Listing => ({
  id,
  name: id,
  url: `http://${id}.test/x`,
  category: 'data',
  capabilities: ['data'],
  tiers: prices.map((priceMsat, tier) => ({ tier, name: `t${tier}`, kind: 'single', priceMsat })),
  nodePubkey: '02'.padEnd(66, '0'),
  createdAt: 0,
  updatedAt: 0,
  signedAt: 0,
});
const ids = (o: PriceOrder) => [...o].map((l) => l.id);

describe('listings in price order', () => {
  it('keeps entry price then id order through adds, replacements and removals', () => {
    const o = new PriceOrder();
    const c = listing('c', 2_000);
    const a = listing('a', 3_000, 2_000); // entry price: the cheapest tier
    const b = listing('b', 1_000);
    const none = listing('n'); // no tier: no entry price, after every priced listing
    for (const l of [c, none, a, b]) o.put(l);
    expect([ids(o), o.size]).toEqual([['b', 'a', 'c', 'n'], 4]);

    const b2 = listing('b', 2_500);
    o.put(b2, b);
    expect(ids(o)).toEqual(['a', 'c', 'b', 'n']);

    const a2 = { ...a, name: 'renamed' }; // same price: stays in place, the new object is stored
    o.put(a2, a);
    expect([ids(o), [...o][0]]).toEqual([['a', 'c', 'b', 'n'], a2]);

    o.remove(c);
    o.remove(none);
    expect([ids(o), o.size]).toEqual([['a', 'b'], 2]);
  });

  it('refuses to replace or remove a listing it does not hold (a bug in the caller, not a silent drift)', () => {
    const o = new PriceOrder();
    const a = listing('a', 1_000);
    o.put(a);
    expect(() => o.remove(listing('a', 1_000))).toThrow(
      'price order out of step: listing a is not where its price puts it',
    );
    expect(() => o.put(listing('a', 5_000), listing('a', 2_000))).toThrow(
      'price order out of step: listing a is not where its price puts it',
    );
    expect(ids(o)).toEqual(['a']);
  });
});
