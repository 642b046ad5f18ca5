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
