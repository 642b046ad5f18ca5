import { describe, expect, it } from 'vitest';
import { createL402Client, l402FetchTool } from '../../agents/l402/index.js';
import { maxPerRequest } from '../../agents/policies/index.js';
import { makeMarket } from '../buyer/market.js';
import { publicLookup } from '../registry/lookup-fixture.js';

describe('l402_fetch: the model cannot raise the operator ceiling or learn it', () => {
  it('refuses a 50,000 msat call under an operator cap of 5,000 even when the model asks for 50,000', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'greedy', priceMsat: 50_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const tool = l402FetchTool(client, { maxPriceMsat: 5_000, resolve: publicLookup });
    const before = await m.balance(m.buyer);

    const out = JSON.parse(await tool.invoke({ url: s.url, maxPriceMsat: 50_000 }));

    expect(out).toMatchObject({ outcome: 'invoice_rejected', paidMsat: 0 });
    expect(out.reason).toBe(
      'refused (invoice_rejected): the seller asks 50000 msat, more than this agent may pay for this call',
    );
    expect(await m.balance(m.buyer)).toBe(before);
    expect(s.served).toBe(0);
  });

  it("keeps the model's lower ceiling when it is below the operator's", async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const tool = l402FetchTool(createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock }), {
      maxPriceMsat: 50_000,
      resolve: publicLookup,
    });

    const out = JSON.parse(await tool.invoke({ url: s.url, maxPriceMsat: 5_000 }));

    expect(out).toMatchObject({ outcome: 'invoice_rejected', paidMsat: 0 });
    expect(s.served).toBe(0);
  });

  it("does not quote the policy's limit in a policy refusal", async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const client = createL402Client({
      node: m.buyer,
      fetch: m.fetch,
      clock: m.clock,
      policy: maxPerRequest({ maxMsat: 7_777 }),
    });

    const out = JSON.parse(await l402FetchTool(client, { resolve: publicLookup }).invoke({ url: s.url }));

    expect(out).toMatchObject({ outcome: 'policy_denied', paidMsat: 0 });
    expect(out.reason).toBe(
      'refused (policy_denied): the seller asks 10000 msat, more than this agent may pay for this call',
    );
    expect(JSON.stringify(out)).not.toContain('7777');
  });
});
