/**
 * A listing removed and registered again (same node, same url, so the same
 * id) is served with the rating its id already has: removing cannot wipe a
 * reputation from buyers' view.
 */
import { describe, expect, it } from 'vitest';
import type { RegistryEvent } from '../../services/registry/index.js';
import { listingOf, nodeKeys, openRegistry, paidInvoice } from '../security/registry-helpers.js';

describe('remove then register again', () => {
  it('serves the re-registered listing with its 1-star rating from two buyers, in search and in the listing_added event', async () => {
    const r = await openRegistry();
    const k = nodeKeys(11, ['taker', 'a', 'b']);
    const listing = listingOf(k.taker, 'http://taker.test/v1/data');
    const reg = await r.client.register(listing, k.taker.signer);
    if (!reg.ok) throw new Error(reg.message);
    const id = reg.listing.id;
    const nowSec = Math.floor(r.clock.now() / 1000);
    for (const [i, payer] of [k.a, k.b].entries())
      await r.client.rate(
        id,
        { score: 1, ...paidInvoice(k.taker, { timestampSec: nowSec }, 1 + i) },
        payer.signer,
      );
    expect(await r.client.remove(id, k.taker.signer)).toMatchObject({ ok: true });
    const events: RegistryEvent[] = [];
    r.registry.subscribe((e) => events.push(e));

    const again = await r.client.register(listing, k.taker.signer);

    const rating = { average: 1, count: 2, paidMsat: 20_000 };
    expect(again).toMatchObject({ ok: true, listing: { id, rating } });
    const found = await r.client.search({ capability: 'data:read' });
    expect(found.ok ? found.listings.map((l) => [l.id, l.rating]) : found.message).toEqual([[id, rating]]);
    expect(events.map((e) => [e.type, e.listing.rating])).toEqual([['listing_added', rating]]);
  });
});
