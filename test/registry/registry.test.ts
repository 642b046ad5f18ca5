import { describe, expect, it } from 'vitest';
import { keySigner, nodeSigner, signAction } from '../../services/registry/index.js';
import type { Listing, ListingFields } from '../../services/registry/index.js';
import { REGISTRY_URL, makeMarket } from './helpers.js';

const fields = (over: Partial<ListingFields> = {}): ListingFields => ({
  name: 'weather',
  url: 'http://a.test/v1/anomalies',
  category: 'weather',
  capabilities: ['anomalies:read'],
  tiers: [{ tier: 0, name: 'single call', kind: 'single', calls: 1, priceMsat: 5_000 }],
  nodePubkey: '',
  ...over,
});

describe('signed listings', () => {
  it('registers a listing signed by its node (an invoice attestation from any LightningNode)', async () => {
    const m = await makeMarket();
    const signer = await nodeSigner(m.seller);
    const r = await m.client.register(fields({ nodePubkey: m.seller.pubkey }), signer);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.listing).toMatchObject({
      name: 'weather',
      nodePubkey: m.seller.pubkey,
      createdAt: m.clock.now(),
    });
    expect(r.listing.id).toMatch(/^[0-9a-f]{32}$/);
    expect(m.events.map((e) => e.type)).toEqual(['listing_added']);
  });

  it('registers a listing signed with a raw key (ECDSA over sha256, as LND signmessage)', async () => {
    const m = await makeMarket();
    const signer = keySigner(new Uint8Array(32).fill(7));
    const r = await m.client.register(fields({ nodePubkey: signer.pubkey }), signer);
    expect(r.ok).toBe(true);
  });

  it("refuses a listing under someone else's key", async () => {
    const m = await makeMarket();
    const mallory = keySigner(new Uint8Array(32).fill(9));
    const viaKey = await m.client.register(fields({ nodePubkey: m.seller.pubkey }), mallory);
    expect(viaKey).toMatchObject({ ok: false, status: 400, code: 'bad_signature' });
    // Another node's attestation does not help either.
    const viaNode = await m.client.register(fields({ nodePubkey: m.seller.pubkey }), {
      ...(await nodeSigner(m.other)),
      pubkey: m.seller.pubkey,
    });
    expect(viaNode).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(m.registry.size).toBe(0);
  });

  it("keeps its own copy of an in-process registration: changing the caller's objects afterwards changes nothing", async () => {
    const m = await makeMarket();
    const signer = keySigner(new Uint8Array(32).fill(7));
    const listing = fields({ nodePubkey: signer.pubkey });
    const signedAt = m.clock.now();
    const signature = await signAction({ action: 'register', listing, signedAt }, signer);
    const r = await m.registry.register({ listing, signedAt, signature });
    if (!r.ok) throw new Error(r.message);
    listing.tiers[0]!.priceMsat = 1;
    listing.capabilities.push('other:read');
    expect(m.registry.get(r.listing.id)).toMatchObject({
      capabilities: ['anomalies:read'],
      tiers: [{ priceMsat: 5_000 }],
    });
    expect(m.registry.search({ capability: 'other:read' })).toEqual([]);
    expect(m.registry.search({ sort: 'price', maxPriceMsat: 4_999 })).toEqual([]);
  });

  it('refuses a listing changed after it was signed', async () => {
    const m = await makeMarket();
    const signer = await nodeSigner(m.seller);
    const listing = fields({ nodePubkey: m.seller.pubkey });
    const signedAt = m.clock.now();
    const signature = await signAction({ action: 'register', listing, signedAt }, signer);
    const tampered = { ...listing, tiers: [{ ...listing.tiers[0]!, priceMsat: 1 }] };
    const res = await m.app.request('/listings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ listing: tampered, signedAt, signature }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_signature' });
  });

  it("updates and removes only with the listing's own key, and never with a replayed signature", async () => {
    const m = await makeMarket();
    const owner = await nodeSigner(m.seller);
    const mallory = keySigner(new Uint8Array(32).fill(3));
    const reg = await m.client.register(fields({ nodePubkey: m.seller.pubkey }), owner);
    if (!reg.ok) throw new Error(reg.message);
    const id = reg.listing.id;
    expect(await m.client.register(fields({ nodePubkey: m.seller.pubkey }), owner)).toMatchObject({
      code: 'already_listed',
      status: 409,
    });
    expect(await m.client.update(id, fields({ nodePubkey: mallory.pubkey }), mallory)).toMatchObject({
      code: 'pubkey_mismatch',
      status: 403,
    });
    expect(
      await m.client.update(id, fields({ nodePubkey: m.seller.pubkey }), {
        ...mallory,
        pubkey: m.seller.pubkey,
      }),
    ).toMatchObject({ code: 'bad_signature' });
    expect(await m.client.remove(id, { ...mallory, pubkey: m.seller.pubkey })).toMatchObject({
      code: 'bad_signature',
    });

    // The url is part of the id: an update cannot move the listing (its id would name another url).
    const moved = fields({ nodePubkey: m.seller.pubkey, url: 'http://elsewhere.test/v1/compute' });
    expect(await m.client.update(id, moved, owner)).toMatchObject({
      code: 'url_mismatch',
      status: 409,
      message: `listing ${id} is for ${reg.listing.url}; to list http://elsewhere.test/v1/compute, remove it and register the new url`,
    });

    const cheaper = fields({
      nodePubkey: m.seller.pubkey,
      tiers: [{ tier: 0, name: 'single call', kind: 'single', calls: 1, priceMsat: 4_000 }],
    });
    const up = await m.client.update(id, cheaper, owner);
    expect(up).toMatchObject({ ok: true, listing: { id, tiers: [{ priceMsat: 4_000 }] } });
    const priceEvent = m.events.find((e) => e.type === 'price_changed');
    expect(priceEvent).toMatchObject({ previousPriceMsat: 5_000, priceMsat: 4_000 });

    // Replaying the first registration's bytes after a removal must not resurrect the listing.
    const signedAt = reg.listing.signedAt;
    const listing = fields({ nodePubkey: m.seller.pubkey });
    const oldSignature = await signAction({ action: 'register', listing, signedAt }, owner);
    expect(await m.client.remove(id, owner)).toMatchObject({ ok: true });
    const replay = await m.app.request('/listings', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ listing, signedAt, signature: oldSignature }),
    });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toMatchObject({ error: 'stale_signature' });
    expect(m.events.map((e) => e.type)).toEqual([
      'listing_added',
      'listing_updated',
      'price_changed',
      'listing_removed',
    ]);
  });
});

describe('search', () => {
  async function catalogue() {
    const m = await makeMarket();
    const key = (n: number) => keySigner(new Uint8Array(32).fill(n));
    const add = async (n: number, over: Partial<ListingFields>) => {
      const s = key(n);
      const r = await m.client.register(
        fields({ nodePubkey: s.pubkey, url: `http://s${n}.test/x`, ...over }),
        s,
      );
      if (!r.ok) throw new Error(r.message);
      return r.listing;
    };
    const tier = (priceMsat: number) => [
      { tier: 0, name: 'one', kind: 'single' as const, calls: 1, priceMsat },
    ];
    const a = await add(1, { capabilities: ['a', 'b'], category: 'weather', tiers: tier(3_000) });
    const b = await add(2, { capabilities: ['a'], category: 'weather', tiers: tier(1_000) });
    const c = await add(3, { capabilities: ['b'], category: 'compute', tiers: tier(2_000) });
    const d = await add(4, {
      capabilities: ['a'],
      category: 'compute',
      tiers: [...tier(9_000), { tier: 1, name: 'pass', kind: 'pass', durationSec: 60, priceMsat: 500 }],
    });
    return { m, a, b, c, d };
  }
  const ids = (r: { ok: boolean; listings?: Listing[] }) => (r.ok ? r.listings!.map((l) => l.id) : []);

  it.each([
    ['filters by capability', { capability: 'a' }, ['a', 'b', 'd']],
    ['filters by category', { category: 'compute' }, ['c', 'd']],
    ['filters by entry price (cheapest tier)', { maxPriceMsat: 2_000 }, ['b', 'c', 'd']],
    ['sorts by entry price', { sort: 'price' }, ['d', 'b', 'c', 'a']],
    ['combines filters, sort and limit', { capability: 'a', sort: 'price', limit: 2 }, ['d', 'b']],
  ] as const)('%s', async (_what, q, expected) => {
    const cat = await catalogue();
    const byName = { a: cat.a.id, b: cat.b.id, c: cat.c.id, d: cat.d.id };
    const r = await cat.m.client.search(q);
    const got = ids(r);
    if ('sort' in q) expect(got).toEqual(expected.map((k) => byName[k]));
    else expect(new Set(got)).toEqual(new Set(expected.map((k) => byName[k])));
  });

  it('answers a search over HTTP with the JSON of the listings the registry finds, byte for byte', async () => {
    const { m } = await catalogue();
    const res = await m.app.request(`${REGISTRY_URL}/listings?capability=a&sort=price&limit=2`);
    const listings = m.registry.search({ capability: 'a', sort: 'price', limit: 2 });
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([
      200,
      'application/json',
      JSON.stringify({ listings }),
    ]);
    expect(listings).toHaveLength(2);
  });

  it('limits results to the search bandwidth', async () => {
    const { m } = await catalogue();
    expect(ids(await m.client.search({ limit: 1 }))).toHaveLength(1);
    expect(ids(await m.client.search({}))).toHaveLength(4);
  });
});
