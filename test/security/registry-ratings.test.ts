import { describe, expect, it } from 'vitest';
import type { InvoiceFields } from '../../infra/lightning/bolt11.js';
import { signRating } from '../../services/registry/index.js';
import { listingOf, nodeKeys, openRegistry, paidInvoice } from './registry-helpers.js';

/** A registry with one listing of `seller`, and keys for a buyer and a third party. */
async function market() {
  const r = await openRegistry();
  const keys = nodeKeys(11, ['seller', 'buyer', 'stranger']);
  const seller = keys.seller;
  const reg = await r.client.register(listingOf(seller, 'http://shop.test/v1/data'), seller.signer);
  if (!reg.ok) throw new Error(reg.message);
  const nowSec = Math.floor(r.clock.now() / 1000);
  return { ...r, ...keys, seller, buyer: keys.buyer, id: reg.listing.id, nowSec };
}

describe('a rating needs a payment by another node, signed by that node', () => {
  it('refuses the seller rating itself with its own invoice and preimage and no payer signature', async () => {
    const m = await market();
    const proof = paidInvoice(m.seller, { timestampSec: m.nowSec }, 1);
    const res = await m.app.request(`/listings/${m.id}/ratings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ score: 5, ...proof }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_body',
      message:
        'payer: required: add payer; signedAt: required: add signedAt; signature: required: add signature',
    });
    expect(m.registry.get(m.id)!.rating).toBeUndefined();
  });

  it('refuses the seller rating itself signed by its own node key', async () => {
    const m = await market();
    const proof = paidInvoice(m.seller, { timestampSec: m.nowSec }, 2);
    const r = await m.client.rate(m.id, { score: 5, ...proof }, m.seller.signer);
    expect(r).toMatchObject({ ok: false, status: 400, code: 'self_rating' });
  });

  const day = 86_400;
  it.each<[string, (nowSec: number) => Partial<InvoiceFields> & { timestampSec: number }, string]>([
    ['a zero-amount invoice', (now) => ({ timestampSec: now, amountMsat: undefined }), 'zero_amount'],
    ['an invoice dated 1970', () => ({ timestampSec: 0 }), 'stale_invoice'],
    ['an invoice eight days old', (now) => ({ timestampSec: now - 8 * day }), 'stale_invoice'],
    ['an invoice dated an hour ahead', (now) => ({ timestampSec: now + 3_600 }), 'stale_invoice'],
    ['a mainnet invoice', (now) => ({ timestampSec: now, network: 'mainnet' }), 'wrong_network'],
    ['a signet invoice', (now) => ({ timestampSec: now, network: 'signet' }), 'wrong_network'],
  ])('refuses %s', async (_what, fields, code) => {
    const m = await market();
    const proof = paidInvoice(m.seller, fields(m.nowSec), 3);
    const r = await m.client.rate(m.id, { score: 5, ...proof }, m.buyer.signer);
    expect(r).toMatchObject({ ok: false, status: 400, code });
    expect(m.registry.get(m.id)!.rating).toBeUndefined();
  });

  it('refuses a signed rating whose score was changed in transit', async () => {
    const m = await market();
    const proof = paidInvoice(m.seller, { timestampSec: m.nowSec }, 4);
    const signed = await signRating(m.id, { score: 5, ...proof }, m.buyer.signer, m.clock.now());
    expect(await m.registry.rate(m.id, { ...signed, score: 1 })).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
  });

  it('refuses a rating signed for another listing of the same seller', async () => {
    const m = await market();
    const other = await m.client.register(listingOf(m.seller, 'http://shop.test/v1/other'), m.seller.signer);
    if (!other.ok) throw new Error(other.message);
    const proof = paidInvoice(m.seller, { timestampSec: m.nowSec }, 5);
    const signed = await signRating(other.listing.id, { score: 1, ...proof }, m.buyer.signer, m.clock.now());
    expect(await m.registry.rate(m.id, signed)).toMatchObject({ ok: false, code: 'bad_signature' });
  });

  it('refuses a rating whose payer key did not sign it', async () => {
    const m = await market();
    const proof = paidInvoice(m.seller, { timestampSec: m.nowSec }, 6);
    const signed = await signRating(m.id, { score: 5, ...proof }, m.stranger.signer, m.clock.now());
    expect(await m.registry.rate(m.id, { ...signed, payer: m.buyer.pubkey })).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
  });

  it('refuses a second rating with the same payment from another payer key: 409 rating_disputed (the payment is disputed)', async () => {
    const m = await market();
    const proof = paidInvoice(m.seller, { timestampSec: m.nowSec }, 7);
    expect(await m.client.rate(m.id, { score: 5, ...proof }, m.buyer.signer)).toMatchObject({ ok: true });
    expect(await m.client.rate(m.id, { score: 1, ...proof }, m.stranger.signer)).toMatchObject({
      ok: false,
      status: 409,
      code: 'rating_disputed',
    });
  });

  it('weighs each rating by the amount paid (10,000 msat, the listing price, against 1 msat)', async () => {
    const m = await market();
    const big = paidInvoice(m.seller, { timestampSec: m.nowSec, amountMsat: 10_000 }, 8);
    const tiny = paidInvoice(m.seller, { timestampSec: m.nowSec, amountMsat: 1 }, 9);
    await m.client.rate(m.id, { score: 5, ...big }, m.buyer.signer);
    const r = await m.client.rate(m.id, { score: 1, ...tiny }, m.stranger.signer);
    expect(r).toMatchObject({
      ok: true,
      rating: { average: 50_001 / 10_001, count: 2, paidMsat: 10_001 },
    });
  });
});
