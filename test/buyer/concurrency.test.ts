import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { drive, makeMarket } from './market.js';

describe('concurrent purchases', () => {
  it('100 concurrent requests for one resource without a token make exactly one payment', async () => {
    const m = makeMarket({ latency: fixedLatency(15) });
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, tokenLifetimeSec: 3_600 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);

    const results = await drive(
      m.clock,
      Promise.all(Array.from({ length: 100 }, () => client.purchase(s.url))),
    );

    expect(results.every((r) => r.outcome === 'success')).toBe(true);
    expect(results.filter((r) => !r.tokenReused)).toHaveLength(1);
    expect(s.events.filter((e) => e.type === 'challenge')).toHaveLength(1);
    expect(s.served).toBe(100);
    expect(before - (await m.balance(m.buyer))).toBe(10_000 + results[0]!.feeMsat);
  });
});
