import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../infra/log.js';
import { ChangeListeners } from '../../services/registry/change-listeners.js';
import type { Listing, RegistryEvent } from '../../services/registry/types.js';

const listing: Listing = {
  id: 'a',
  name: 'a',
  url: 'http://a.test/x',
  category: 'data',
  capabilities: ['data'],
  tiers: [{ tier: 0, name: 'one', kind: 'single', priceMsat: 1_000 }],
  nodePubkey: '02'.padEnd(66, '0'),
  createdAt: 0,
  updatedAt: 0,
  signedAt: 0,
};

describe('registry change listeners', () => {
  it('give each listener a copy of every event while subscribed, and nothing before or after', () => {
    const listeners = new ChangeListeners(silentLogger);
    const got: RegistryEvent[] = [];
    listeners.emit({ type: 'listing_added', listing });
    const off = listeners.subscribe((e) => got.push(e));
    listeners.emit({ type: 'listing_updated', listing });
    listeners.priceChange(listing, 1_000, 2_000);
    listeners.priceChange(listing, 2_000, 2_000);
    off();
    listeners.emit({ type: 'listing_removed', listing });
    got[0]!.listing.name = 'edited by a listener';
    expect([got.map((e) => e.type), got[0]!.listing === listing, listing.name, got[1]]).toEqual([
      ['listing_updated', 'price_changed'],
      false,
      'a',
      { type: 'price_changed', listing, previousPriceMsat: 1_000, priceMsat: 2_000 },
    ]);
  });
});
