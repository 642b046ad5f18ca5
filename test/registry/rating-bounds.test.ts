/**
 * A listing keeps at most `limits.ratingsPerListing` rating records (a
 * record lives as long as its invoice could rate: 7 days + the skew); a
 * rating beyond it is 429 `too_many_ratings` until older records age out.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  createRegistryApp,
  MemoryRegistryStore,
  Registry,
  RegistryClient,
} from '../../services/registry/index.js';
import { listingOf, nodeKeys, paidInvoice } from '../security/registry-helpers.js';

const WEEK_AND_SKEW_MS = 7 * 86_400_000 + 10 * 60_000;

/** A registry on `store` keeping 2 rating records per listing, and a way to rate as one of five buyers. */
async function open(store: MemoryRegistryStore, clock: VirtualClock) {
  const registry = await Registry.open({
    clock,
    network: 'regtest',
    store,
    limits: { ratingsPerListing: 2 },
  });
  const app = createRegistryApp(registry);
  const client = new RegistryClient({
    baseUrl: 'http://registry.test',
    fetch: async (r) => app.fetch(r),
    clock,
  });
  /** Rates listing `id` with a fresh 10,000 msat invoice of the seller (preimage byte `n`) paid by `payer`. */
  const rate = (id: string, payer: keyof typeof KEYS, n: number) => {
    const proof = paidInvoice(KEYS.seller, { timestampSec: Math.floor(clock.now() / 1000) }, n);
    return client.rate(id, { score: 5, ...proof }, KEYS[payer].signer);
  };
  return { registry, client, store, clock, rate };
}

const KEYS = nodeKeys(11, ['seller', 'a', 'b', 'c', 'd']);

/** `open` on a new store, with two listings of one seller. */
async function market() {
  const m = await open(new MemoryRegistryStore(), new VirtualClock());
  const ids: string[] = [];
  for (const url of ['http://shop.test/v1/data', 'http://shop.test/v1/other']) {
    const reg = await m.client.register(listingOf(KEYS.seller, url), KEYS.seller.signer);
    if (!reg.ok) throw new Error(reg.message);
    ids.push(reg.listing.id);
  }
  return { ...m, ids };
}

describe('rating records per listing are bounded', () => {
  it('refuses a third rating of a listing that keeps 2 with 429 too_many_ratings, and its rating stays as it was', async () => {
    const m = await market();
    const id = m.ids[0]!;
    expect(await m.rate(id, 'a', 1)).toMatchObject({ ok: true });
    expect(await m.rate(id, 'b', 2)).toMatchObject({ ok: true });
    expect(await m.rate(id, 'c', 3)).toEqual({
      ok: false,
      status: 429,
      code: 'too_many_ratings',
      message: `listing ${id} has 2 ratings from the last 168 h, the most the registry keeps per listing; retry later, as the oldest age out`,
    });
    expect(m.registry.get(id)!.rating).toEqual({ average: 5, count: 2, paidMsat: 20_000 });
  });

  it('the bound is per listing: another listing of the same node still takes ratings', async () => {
    const m = await market();
    await m.rate(m.ids[0]!, 'a', 1);
    await m.rate(m.ids[0]!, 'b', 2);
    expect(await m.rate(m.ids[1]!, 'c', 3)).toMatchObject({ ok: true, rating: { count: 1 } });
  });

  it('takes ratings again once the old records age out, and the rating keeps all of them', async () => {
    const m = await market();
    const id = m.ids[0]!;
    await m.rate(id, 'a', 1);
    await m.rate(id, 'b', 2);
    await m.clock.advance(WEEK_AND_SKEW_MS + 1);
    expect(await m.rate(id, 'c', 3)).toMatchObject({ ok: true, rating: { count: 3, paidMsat: 30_000 } });
    expect(await m.rate(id, 'd', 4)).toMatchObject({ ok: true, rating: { count: 4, paidMsat: 40_000 } });
  });

  it('counts the records a restarted registry loads: a third rating after a restart is still refused', async () => {
    const m = await market();
    const id = m.ids[0]!;
    await m.rate(id, 'a', 1);
    await m.rate(id, 'b', 2);
    await m.registry.flush();
    const again = await open(m.store, m.clock);
    expect(await again.rate(id, 'c', 3)).toMatchObject({ ok: false, status: 429, code: 'too_many_ratings' });
  });
});
