import { describe, expect, it } from 'vitest';
import { signListing } from '../../services/registry/signing.js';
import { listingOf, nodeKeys, openRegistry } from '../security/registry-helpers.js';

const { seller, early } = nodeKeys(3, ['seller', 'early']);

describe('a tier costs at least 1 msat', () => {
  it('refuses a registration with a tier priced 0 msat (400 invalid_body naming the field and the floor), takes 1 msat, and still serves a listing priced 0 before the floor', async () => {
    const { clock, registry, client } = await openRegistry();
    expect(await client.register(listingOf(seller, 'http://free.example/v1/q', 0), seller.signer)).toEqual({
      ok: false,
      status: 400,
      code: 'invalid_body',
      message: 'listing.tiers[0].priceMsat: expected at least 1 msat: no paywall sells a call for 0',
    });
    expect((await client.register(listingOf(seller, 'http://one.example/v1/q', 1), seller.signer)).ok).toBe(
      true,
    );
    // What a registry loads from a store written before the floor: the registry itself takes it unchecked.
    const old = await signListing(listingOf(early, 'http://old.example/v1/q', 0), early.signer, clock.now());
    expect((await registry.register(old)).ok).toBe(true);
    const found = await client.search({ capability: 'data:read', sort: 'price' });
    expect(found.ok && found.listings.map((l) => [l.url, l.tiers[0]!.priceMsat])).toEqual([
      ['http://old.example/v1/q', 0],
      ['http://one.example/v1/q', 1],
    ]);
  });
});
