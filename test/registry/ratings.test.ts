import { describe, expect, it } from 'vitest';
import { nodeSigner } from '../../services/registry/index.js';
import { buy, challengeOf, inMemory } from '../paywall/helpers.js';
import { makeMarket } from './helpers.js';

/** A market with one listed seller and a buyer who bought from it once. */
async function purchased() {
  const m = await makeMarket();
  const seller = await m.addSeller('shop.test', {
    archetype: 'data-feed',
    latency: { kind: 'fixed', ms: 0 },
  });
  const reg = await m.client.register(seller.listing('http://shop.test'), await nodeSigner(m.seller));
  if (!reg.ok) throw new Error(reg.message);
  const { authorization, challenge } = await buy(m, inMemory(seller.app), '/v1/anomalies');
  const preimage = authorization.split(':')[1]!;
  const payer = await nodeSigner(m.buyer);
  return { m, seller, payer, id: reg.listing.id, invoice: challenge.invoice, preimage };
}

describe('ratings need proof of purchase', () => {
  it("accepts a rating with the paid invoice, its preimage and the payer's signature, once per payment", async () => {
    const { m, payer, id, invoice, preimage } = await purchased();
    const first = await m.client.rate(id, { score: 4, invoice, preimage }, payer);
    expect(first).toMatchObject({ ok: true, rating: { average: 4, count: 1 } });
    const again = await m.client.rate(id, { score: 1, invoice, preimage }, payer);
    expect(again).toMatchObject({ ok: false, status: 409, code: 'already_rated' });
    expect(m.registry.get(id)!.rating).toEqual({ average: 4, count: 1, paidMsat: 10_000 });
    expect(m.events.at(-1)).toMatchObject({
      type: 'listing_updated',
      listing: { rating: { average: 4, count: 1 } },
    });
  });

  it('averages several proven ratings weighted by the amount paid', async () => {
    const { m, seller, payer, id, invoice, preimage } = await purchased();
    await m.client.rate(id, { score: 5, invoice, preimage }, payer);
    const second = await buy(m, inMemory(seller.app), '/v1/anomalies', { payer: m.other });
    await m.client.rate(
      id,
      { score: 2, invoice: second.challenge.invoice, preimage: second.authorization.split(':')[1]! },
      await nodeSigner(m.other),
    );
    expect(m.registry.get(id)!.rating).toEqual({ average: 3.5, count: 2, paidMsat: 20_000 });
  });

  it.each([
    [
      "a preimage that is not the invoice's",
      (p: { invoice: string; preimage: string }) => ({ ...p, preimage: 'aa'.repeat(32) }),
      400,
      'wrong_preimage',
    ],
    [
      "a payment hash that is not the invoice's",
      (p: { invoice: string; preimage: string }) => ({ ...p, paymentHash: 'bb'.repeat(32) }),
      400,
      'hash_mismatch',
    ],
    [
      'an invoice that does not decode',
      (p: { invoice: string; preimage: string }) => ({ ...p, invoice: 'lnbcrt1garbage' }),
      400,
      'bad_invoice',
    ],
    [
      'an invoice with one character changed',
      (p: { invoice: string; preimage: string }) => ({
        ...p,
        invoice: p.invoice.slice(0, -8) + (p.invoice.at(-8) === 'q' ? 'p' : 'q') + p.invoice.slice(-7),
      }),
      400,
      'bad_invoice',
    ],
    ['a score of 6', (p: { invoice: string; preimage: string }) => ({ ...p, score: 6 }), 400, 'invalid_body'],
  ])('refuses %s', async (_what, mutate, status, code) => {
    const { m, payer, id, invoice, preimage } = await purchased();
    const r = await m.client.rate(id, { score: 3, ...mutate({ invoice, preimage }) }, payer);
    expect(r).toMatchObject({ ok: false, status, code });
    expect(m.registry.get(id)!.rating).toBeUndefined();
  });

  it('refuses a purchase from another node as proof for this listing', async () => {
    const { m, payer, id } = await purchased();
    // A genuine invoice, but signed by another node: the payee check comes before anything else.
    const elsewhere = await m.addSeller('elsewhere.test', { archetype: 'compute' }, m.other);
    const { invoice } = challengeOf(await elsewhere.app.request('/v1/compute'));
    const r = await m.client.rate(id, { score: 5, invoice, preimage: 'cc'.repeat(32) }, payer);
    expect(r).toMatchObject({ ok: false, code: 'wrong_payee' });
  });

  it('refuses a rating for an unknown listing', async () => {
    const { m, payer, invoice, preimage } = await purchased();
    expect(await m.client.rate('0'.repeat(32), { score: 3, invoice, preimage }, payer)).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });
});
