import { describe, expect, it } from 'vitest';
import { ListingTable } from '../../services/registry/listing-table.js';
import type { Listing } from '../../services/registry/types.js';

const listing = (id: string, capabilities: string[]): Listing => ({
  id,
  name: id,
  url: `http://${id}.test/x`,
  category: 'data',
  capabilities,
  tiers: [{ tier: 0, name: 'one', kind: 'single', priceMsat: 1_000 }],
  nodePubkey: '02'.padEnd(66, '0'),
  createdAt: 0,
  updatedAt: 0,
  signedAt: 0,
});
const ids = (ls: Iterable<Listing>) => [...ls].map((l) => `${l.id}:${l.capabilities.join('+')}`).sort();

describe('listings by capability', () => {
  it('follow every set, replacement and delete of the listings by id', () => {
    const t = new ListingTable();
    t.set('a', listing('a', ['read', 'write']));
    t.set('b', listing('b', ['read']));
    expect([ids(t.offering('read')), ids(t.offering('write'))]).toEqual([
      ['a:read+write', 'b:read'],
      ['a:read+write'],
    ]);

    t.set('a', listing('a', ['write', 'stats']));
    expect([ids(t.offering('read')), ids(t.offering('write')), ids(t.offering('stats'))]).toEqual([
      ['b:read'],
      ['a:write+stats'],
      ['a:write+stats'],
    ]);

    expect(t.delete('b')).toBe(true);
    expect(t.delete('missing')).toBe(false);
    expect([ids(t.offering('read')), ids(t.offering(undefined)), t.size]).toEqual([[], ['a:write+stats'], 1]);

    t.clear();
    expect([ids(t.offering('write')), t.size]).toEqual([[], 0]);
  });

  it("gives each capability's listings by entry price, then id, each once though a listing names a capability twice", () => {
    const priced = (id: string, priceMsat: number, capabilities: string[]): Listing => ({
      ...listing(id, capabilities),
      tiers: [{ tier: 0, name: 'one', kind: 'single', priceMsat }],
    });
    const t = new ListingTable();
    t.set('c', priced('c', 1_000, ['read']));
    t.set('a', priced('a', 3_000, ['read', 'read']));
    t.set('b', priced('b', 1_000, ['read', 'write']));
    const order = (c: string | undefined) => [...t.offering(c)].map((l) => l.id);
    expect([order('read'), order('write'), order(undefined)]).toEqual([
      ['b', 'c', 'a'],
      ['b'],
      ['b', 'c', 'a'],
    ]);

    t.set('a', priced('a', 500, ['read', 'write', 'write']));
    t.set('b', priced('b', 1_000, ['write']));
    expect([order('read'), order('write'), order(undefined)]).toEqual([
      ['a', 'c'],
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]);
  });
});

describe("listings by a tier's price", () => {
  /** A listing of `read` selling a single call at `single` msat, then a bundle at `bundle` msat (none when undefined). */
  const tiered = (id: string, single: number, bundle?: number): Listing => ({
    ...listing(id, ['read']),
    tiers: [
      { tier: 0, name: 'one', kind: 'single', priceMsat: single },
      ...(bundle === undefined
        ? []
        : [{ tier: 1, name: 'ten', kind: 'bundle' as const, calls: 10, priceMsat: bundle }]),
    ],
  });

  it("orders by each tier's price once asked (a bundle's, else the first tier's), and keeps that order through later sets and deletes", () => {
    const t = ListingTable.of([tiered('a', 1, 50_000), tiered('b', 3_000, 20_000), tiered('c', 2_000)]);
    const order = (tier?: 'bundle' | 'default', capability: string | undefined = 'read') =>
      [...t.offering(capability, tier)].map((l) => l.id);
    expect([order(), order('bundle'), order('default'), order('bundle', undefined)]).toEqual([
      ['a', 'c', 'b'],
      ['c', 'b', 'a'],
      ['a', 'c', 'b'],
      ['c', 'b', 'a'],
    ]);

    t.set('a', tiered('a', 1, 10_000));
    t.set('b', tiered('b', 3_000, 5_000));
    t.set('d', tiered('d', 500, 15_000));
    t.delete('c');
    expect([order(), order('bundle'), order('default'), order('bundle', undefined)]).toEqual([
      ['a', 'd', 'b'],
      ['b', 'a', 'd'],
      ['a', 'd', 'b'],
      ['b', 'a', 'd'],
    ]);
  });
});
