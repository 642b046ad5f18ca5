import { describe, expect, it } from 'vitest';
import { MemoryRegistryStore, nodeSigner, Registry, signRating } from '../../services/registry/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { buy, inMemory } from '../paywall/helpers.js';
import { makeMarket } from './helpers.js';

const WEEK_AND_SKEW_MS = 7 * 86_400_000 + 10 * 60_000;

/** A market whose registry saves into `store`, with one listed seller. */
async function listed(store: MemoryRegistryStore) {
  const m = await makeMarket({ store });
  const seller = await m.addSeller('shop.test', {
    archetype: 'data-feed',
    latency: { kind: 'fixed', ms: 0 },
  });
  const reg = await m.client.register(seller.listing('http://shop.test'), await nodeSigner(m.seller));
  if (!reg.ok) throw new Error(reg.message);
  const purchase = async (payer: typeof m.buyer, score: number) => {
    const { authorization, challenge } = await buy(m, inMemory(seller.app), '/v1/anomalies', { payer });
    return { score, invoice: challenge.invoice, preimage: authorization.split(':')[1]! };
  };
  return { m, id: reg.listing.id, purchase };
}

describe("the registry's rating records", () => {
  it('forgets a payment hash once its invoice is too old to rate again, and keeps its weight in the rating', async () => {
    const store = new MemoryRegistryStore();
    const { m, id, purchase } = await listed(store);
    const buyer = await nodeSigner(m.buyer);
    const first = await purchase(m.buyer, 5);
    expect(await m.client.rate(id, first, buyer)).toMatchObject({ ok: true });
    await m.clock.advance(WEEK_AND_SKEW_MS + 1);
    const second = await purchase(m.other, 1);
    expect(await m.client.rate(id, second, await nodeSigner(m.other))).toMatchObject({ ok: true });
    await m.registry.flush();

    const saved = (await store.load())!;
    expect(saved.version).toBe(2);
    expect(saved.ratings.map((r) => r.score)).toEqual([1]);
    expect(saved.ratingSums).toEqual([
      { listingId: id, weightedScoreMsat: '60000', paidMsat: '20000', count: 2 },
    ]);
    const reopened = await Registry.open({ clock: m.clock, network: 'regtest', store });
    expect(reopened.get(id)!.rating).toEqual({ average: 3, count: 2, paidMsat: 20_000 });
    // The forgotten proof cannot rate again: its invoice is past the rating window.
    const replay = await signRating(id, first, buyer, m.clock.now());
    expect(await reopened.rate(id, replay)).toMatchObject({ ok: false, code: 'stale_invoice' });
    expect(reopened.get(id)!.rating).toEqual({ average: 3, count: 2, paidMsat: 20_000 });
  });

  it('keeps a payment hash that can still rate: a second rating with it is refused', async () => {
    const store = new MemoryRegistryStore();
    const { m, id, purchase } = await listed(store);
    const buyer = await nodeSigner(m.buyer);
    const proof = await purchase(m.buyer, 4);
    expect(await m.client.rate(id, proof, buyer)).toMatchObject({ ok: true });
    await m.clock.advance(WEEK_AND_SKEW_MS - 11 * 60_000);
    expect(await m.client.rate(id, { ...proof, score: 1 }, buyer)).toMatchObject({ code: 'already_rated' });
    await m.registry.flush();
    expect((await store.load())!.ratings.map((r) => r.score)).toEqual([4]);
  });

  it('rebuilds the sums from the records of a version 1 snapshot', async () => {
    const store = new MemoryRegistryStore();
    const { m, id, purchase } = await listed(store);
    expect(await m.client.rate(id, await purchase(m.buyer, 2), await nodeSigner(m.buyer))).toMatchObject({
      ok: true,
    });
    await m.registry.flush();
    const { ratingSums: _sums, ...rest } = (await store.load())!;
    await store.save({ ...rest, version: 1 });
    const reopened = await Registry.open({ clock: m.clock, network: 'regtest', store });
    expect(reopened.get(id)!.rating).toEqual({ average: 2, count: 1, paidMsat: 10_000 });
  });

  it('refuses to open on saved sums that are not integers, naming the listing', async () => {
    const store = new MemoryRegistryStore();
    await store.save({
      version: 2,
      listings: [],
      ratings: [],
      ratingSums: [{ listingId: 'ab', weightedScoreMsat: '1.5', paidMsat: '1', count: 1 }],
      tombstones: [],
    });
    await expect(Registry.open({ clock: new VirtualClock(), network: 'regtest', store })).rejects.toThrow(
      /rating sums of listing ab are not non-negative integers/,
    );
  });
});
