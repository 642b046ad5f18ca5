import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { makeMarket } from '../buyer/market.js';
import { mountForgedSeller } from './client-helpers.js';

describe('the client checks the invoice against the challenge without any hints', () => {
  it.each([
    ['a 402 stating 5,000 msat with an invoice for 500,000', 5_000, 500_000],
    ['an invoice 1 msat above the stated price', 5_000, 5_001],
    ['an invoice 1 msat below the stated price', 5_000, 4_999],
  ])('refuses %s before paying, as price_mismatch', async (_name, statedMsat, invoiceMsat) => {
    const m = makeMarket();
    const seller = mountForgedSeller(m, 'liar.test', { statedMsat, invoiceMsat });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(seller.url);

    expect(r).toMatchObject({
      outcome: 'invoice_rejected',
      rejection: 'price_mismatch',
      quotedMsat: invoiceMsat,
      paidMsat: 0,
    });
    expect(r.reason).toBe(
      `invoice asks ${invoiceMsat} msat but the 402 states a price of ${statedMsat} msat`,
    );
    expect(await m.balance(m.buyer)).toBe(before);
  });

  it('pays an invoice that asks exactly the stated price', async () => {
    const m = makeMarket();
    const seller = mountForgedSeller(m, 'exact.test', { statedMsat: 5_000, invoiceMsat: 5_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });

    const r = await client.purchase(seller.url);

    // The forged seller never accepts a token: the invoice passed the check and was paid once.
    expect(r).toMatchObject({ paidMsat: 5_000 });
  });

  it('refuses an invoice that expires within the 30 s margin, before paying', async () => {
    const m = makeMarket();
    const seller = mountForgedSeller(m, 'brief.test', {
      statedMsat: 5_000,
      invoiceMsat: 5_000,
      expirySec: 20,
    });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(seller.url);

    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'expired', paidMsat: 0 });
    expect(await m.balance(m.buyer)).toBe(before);
  });
});
