import { describe, expect, it } from 'vitest';
import { createL402Client, DEFAULT_MAX_PRICE_MSAT } from '../../agents/l402/index.js';
import { makeMarket } from '../buyer/market.js';

describe('a client given no policy has a per-request price ceiling', () => {
  it('refuses an honest 100x price (10,000,000 msat) before paying, as policy_denied', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'pricey', priceMsat: 10_000_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(s.url);

    expect(DEFAULT_MAX_PRICE_MSAT).toBe(100_000);
    expect(r).toMatchObject({ outcome: 'policy_denied', quotedMsat: 10_000_000, paidMsat: 0 });
    expect(r.reason).toBe('max_per_request: 10000000 msat is above the per-request maximum of 100000 msat');
    expect(await m.balance(m.buyer)).toBe(before);
    expect(s.served).toBe(0);
  });

  it('pays a price at the default ceiling', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'edge', priceMsat: 100_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });

    const r = await client.purchase(s.url);

    expect(r).toMatchObject({ outcome: 'success', paidMsat: 100_000 });
  });

  it('pays above the default only when the caller raises defaultMaxPriceMsat explicitly', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'pricey', priceMsat: 10_000_000 });
    const client = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      defaultMaxPriceMsat: 10_000_000,
    });

    const r = await client.purchase(s.url);

    expect(r).toMatchObject({ outcome: 'success', paidMsat: 10_000_000 });
    expect(s.served).toBe(1);
  });
});
