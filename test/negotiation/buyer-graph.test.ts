import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import { createL402Client, type NegotiationRecord } from '../../agents/l402/index.js';
import { ruleBuyer, ruleSeller } from '../../agents/negotiation/index.js';
import { makeMarket } from '../buyer/market.js';

const task = { id: 't-neg', capability: 'data', valueMsat: 100_000, calls: 1 };

/** One seller posting 10,000 msat that negotiates down to a 6,000 msat floor, and a buyer's client. */
function negotiatingMarket() {
  const m = makeMarket();
  const s = m.addSeller({
    name: 'alpha',
    priceMsat: 10_000,
    negotiation: { negotiator: ruleSeller({ floorMsat: 6_000 }) },
  });
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  return { m, s, client };
}

describe('negotiation end to end: buyer graph, paywall, simnet payment, delivery', () => {
  it('buys from a negotiating seller at the agreed 6,750 msat: paid, delivered, and the price caveat accepted by the paywall', async () => {
    const { m, s, client } = negotiatingMarket();
    const records: NegotiationRecord[] = [];
    const agent = createBuyerAgent({
      name: 'haggler',
      registry: await m.registry(),
      client,
      decider: createDecider('cheapest', { clock: m.clock }),
      clock: m.clock,
      negotiator: ruleBuyer(),
      onNegotiation: (r) => records.push(r),
    });
    const r = await agent.runTask(task);
    expect(r.done).toBe(true);
    expect(records).toEqual([
      { result: 'agreed', postedMsat: 10_000, agreedMsat: 6_750, rounds: 3, seller: 'alpha' },
    ]);
    expect(r.purchases.map((p) => [p.outcome, p.paidMsat])).toEqual([['success', 6_750]]);
    expect(s.events.filter((e) => e.type === 'authorized')).toHaveLength(1);
  });

  it('lets a plain L402 client (no negotiator) buy from the same seller at the posted 10,000 msat', async () => {
    const { s, client } = negotiatingMarket();
    const r = await client.purchase(s.url);
    expect([r.outcome, r.quotedMsat, r.paidMsat]).toEqual(['success', 10_000, 10_000]);
  });
});
