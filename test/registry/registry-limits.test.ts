/**
 * The registry's state stays bounded whatever keys write to it: listings per
 * node key and in all, and tombstones kept only while a replay could still
 * pass the signing-time check.
 */
import { describe, expect, it } from 'vitest';
import { keySigner, Registry, type ListingFields } from '../../services/registry/index.js';
import { MemoryRegistryStore } from '../../services/registry/store.js';
import { signAction } from '../../services/registry/signing.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

const fields = (nodePubkey: string, n: number): ListingFields => ({
  name: `feed ${n}`,
  url: `http://feed.test/v1/data/${n}`,
  category: 'data',
  capabilities: ['data'],
  tiers: [{ tier: 0, name: 'single call', kind: 'single', calls: 1, priceMsat: 5_000 }],
  nodePubkey,
});

async function register(r: Registry, clock: VirtualClock, key: number, n: number) {
  const signer = keySigner(new Uint8Array(32).fill(key));
  const listing = fields(signer.pubkey, n);
  const signedAt = clock.now();
  return r.register({
    listing,
    signedAt,
    signature: await signAction({ action: 'register', listing, signedAt }, signer),
  });
}

async function remove(r: Registry, clock: VirtualClock, key: number, id: string) {
  const signedAt = clock.now();
  const signer = keySigner(new Uint8Array(32).fill(key));
  return r.remove(id, { signedAt, signature: await signAction({ action: 'remove', id, signedAt }, signer) });
}

describe('registry limits', () => {
  it('a key holds at most listingsPerKey listings (409 too_many_listings); another key still registers, and a removal makes room', async () => {
    const clock = new VirtualClock(1_000_000);
    const r = await Registry.open({ clock, network: 'regtest', limits: { listingsPerKey: 2 } });
    const first = await register(r, clock, 1, 1);
    expect((await register(r, clock, 1, 2)).ok).toBe(true);
    const third = await register(r, clock, 1, 3);
    expect(third).toMatchObject({
      ok: false,
      code: 'too_many_listings',
      message: `node ${keySigner(new Uint8Array(32).fill(1)).pubkey} already has 2 listings; remove one first`,
    });
    expect((await register(r, clock, 2, 1)).ok).toBe(true);
    await clock.advance(1);
    expect((await remove(r, clock, 1, first.ok ? first.listing.id : '')).ok).toBe(true);
    await clock.advance(1);
    expect((await register(r, clock, 1, 3)).ok).toBe(true);
    expect(r.size).toBe(3);
  });

  it('the registry holds at most `listings` listings in all (409 too_many_listings, retry later)', async () => {
    const clock = new VirtualClock(1_000_000);
    const r = await Registry.open({ clock, network: 'regtest', limits: { listings: 2 } });
    expect((await register(r, clock, 1, 1)).ok).toBe(true);
    expect((await register(r, clock, 2, 1)).ok).toBe(true);
    expect(await register(r, clock, 3, 1)).toMatchObject({
      ok: false,
      code: 'too_many_listings',
      message: 'the registry holds 2 listings, its limit; retry later',
    });
  });

  it('a tombstone is dropped once its removal is older than the signing skew (10 min): 3 removals, then 1 kept after 11 minutes', async () => {
    const clock = new VirtualClock(1_000_000);
    const store = new MemoryRegistryStore();
    const r = await Registry.open({ clock, network: 'regtest', store });
    for (let n = 1; n <= 3; n++) {
      const reg = await register(r, clock, 1, n);
      await clock.advance(1);
      expect((await remove(r, clock, 1, reg.ok ? reg.listing.id : '')).ok).toBe(true);
    }
    await r.flush();
    expect((await store.load())!.tombstones).toHaveLength(3);
    await clock.advance(11 * 60_000);
    const reg = await register(r, clock, 1, 4);
    await clock.advance(1);
    expect((await remove(r, clock, 1, reg.ok ? reg.listing.id : '')).ok).toBe(true);
    await r.flush();
    expect((await store.load())!.tombstones.map((t) => t.signedAt)).toEqual([clock.now()]);
  });
});
