/**
 * A seller holds every preimage of its sales, so it can rate a sale itself,
 * under a key of its own, before the buyer who paid does. The first rating
 * per payment no longer wins: a second, different payer key proving the same
 * payment disputes it, its weight leaves the listing's sums, and nothing
 * more rates with that payment. The seller can void its buyer's rating; it
 * can no longer replace it with its own.
 */
import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import {
  keySigner,
  MemoryRegistryStore,
  nodeSigner,
  Registry,
  signRating,
} from '../../services/registry/index.js';
import { buy, inMemory } from '../paywall/helpers.js';
import { makeMarket } from './helpers.js';

/** The seller's second key: one it made to rate its own sales. */
const puppet = keySigner(Buffer.alloc(32, 9));

/** A market with one listed seller; `sale()` is a purchase by `payer`, with the preimage the seller's node holds for it. */
async function listed(store = new MemoryRegistryStore()) {
  const m = await makeMarket({ store });
  const seller = await m.addSeller('shop.test', {
    archetype: 'data-feed',
    latency: { kind: 'fixed', ms: 0 },
  });
  const reg = await m.client.register(seller.listing('http://shop.test'), await nodeSigner(m.seller));
  if (!reg.ok) throw new Error(reg.message);
  const sale = async (payer = m.buyer) => {
    const { challenge } = await buy(m, inMemory(seller.app), '/v1/anomalies', { payer });
    const hash = decodeInvoice(challenge.invoice).paymentHash;
    const preimage = (await m.seller.lookupInvoice(hash))!.preimage!;
    return { proof: { invoice: challenge.invoice, preimage }, hash };
  };
  return { m, store, id: reg.listing.id, sale, buyer: await nodeSigner(m.buyer) };
}

describe('a payment rated by two payer keys', () => {
  it('the seller rates its sale 5 under a second key first; the buyer who paid rates it 1 and is answered 409 rating_disputed: the 5 leaves the rating, the 1 is not added', async () => {
    const { m, id, sale, buyer } = await listed();
    const honest = await sale(m.other);
    expect(await m.client.rate(id, { score: 3, ...honest.proof }, await nodeSigner(m.other))).toMatchObject({
      ok: true,
    });
    const sold = await sale();
    expect(await m.client.rate(id, { score: 5, ...sold.proof }, puppet)).toEqual({
      ok: true,
      paymentHash: sold.hash,
      rating: { average: 4, count: 2, paidMsat: 20_000 },
    });
    m.events.length = 0;

    const answer = await m.client.rate(id, { score: 1, ...sold.proof }, buyer);

    expect(answer).toEqual({
      ok: false,
      status: 409,
      code: 'rating_disputed',
      message:
        `payment ${sold.hash} was rated first by another payer key (${puppet.pubkey}); a payment rates once, so with two keys ` +
        'proving it neither rating counts: the first is taken out of the rating and this one is not added',
    });
    expect(m.registry.get(id)!.rating).toEqual({ average: 3, count: 1, paidMsat: 10_000 });
    expect(m.events.map((e) => [e.type, e.listing.rating])).toEqual([
      ['listing_updated', { average: 3, count: 1, paidMsat: 10_000 }],
    ]);
  });

  it('a dispute of the only rating leaves the listing unrated', async () => {
    const { m, id, sale, buyer } = await listed();
    const sold = await sale();
    expect(await m.client.rate(id, { score: 5, ...sold.proof }, puppet)).toMatchObject({ ok: true });

    expect(await m.client.rate(id, { score: 1, ...sold.proof }, buyer)).toMatchObject({
      code: 'rating_disputed',
    });

    expect(m.registry.get(id)!.rating).toBeUndefined();
  });

  it('after the dispute, a third key and both raters again are refused 409 already_rated naming the dispute, and the rating stays', async () => {
    const { m, id, sale, buyer } = await listed();
    const sold = await sale();
    await m.client.rate(id, { score: 5, ...sold.proof }, puppet);
    await m.client.rate(id, { score: 1, ...sold.proof }, buyer);
    const refused = {
      ok: false,
      status: 409,
      code: 'already_rated',
      message: `payment ${sold.hash} is disputed (two payer keys proved it): it counts for no rating, and nothing more can rate with it`,
    };

    for (const signer of [keySigner(Buffer.alloc(32, 10)), puppet, buyer]) {
      await m.clock.advance(1);
      expect(await m.client.rate(id, { score: 4, ...sold.proof }, signer)).toEqual(refused);
    }
    expect(m.registry.get(id)!.rating).toBeUndefined();
  });

  it('the same payer key sending its rating again is refused already_rated and disputes nothing; another key then disputes it', async () => {
    const { m, id, sale, buyer } = await listed();
    const sold = await sale();
    await m.client.rate(id, { score: 5, ...sold.proof }, buyer);

    expect(await m.client.rate(id, { score: 1, ...sold.proof }, buyer)).toEqual({
      ok: false,
      status: 409,
      code: 'already_rated',
      message: `payment ${sold.hash} was already used to rate`,
    });
    expect(m.registry.get(id)!.rating).toEqual({ average: 5, count: 1, paidMsat: 10_000 });
    expect(await m.client.rate(id, { score: 1, ...sold.proof }, puppet)).toMatchObject({
      code: 'rating_disputed',
    });
    expect(m.registry.get(id)!.rating).toBeUndefined();
  });

  it('is journaled: a registry reopened on its store holds the record disputed, out of the sums, and refuses the payment', async () => {
    const { m, store, id, sale, buyer } = await listed();
    const honest = await sale(m.other);
    await m.client.rate(id, { score: 3, ...honest.proof }, await nodeSigner(m.other));
    const sold = await sale();
    await m.client.rate(id, { score: 5, ...sold.proof }, puppet);
    await m.client.rate(id, { score: 1, ...sold.proof }, buyer);

    const reopened = await Registry.open({ clock: m.clock, network: 'regtest', store });
    expect(reopened.get(id)!.rating).toEqual({ average: 3, count: 1, paidMsat: 10_000 });
    const again = await signRating(
      id,
      { score: 2, ...sold.proof },
      keySigner(Buffer.alloc(32, 11)),
      m.clock.now(),
    );
    expect(await reopened.rate(id, again)).toMatchObject({ ok: false, code: 'already_rated' });
    await reopened.flush();
    const saved = (await store.load())!;
    expect(saved.ratings.map((r) => [r.paymentHash, r.score, r.disputed])).toEqual([
      [honest.hash, 3, undefined],
      [sold.hash, 5, true],
    ]);
    expect(saved.ratingSums).toEqual([
      { listingId: id, weightedScoreMsat: '30000', paidMsat: '10000', count: 1 },
    ]);
  });
});
