import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket } from './market.js';
import { prefixSeller } from './prefix-seller.js';

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

    expect(results.map((r) => r.outcome)).toEqual(Array<string>(100).fill('success'));
    expect(results.filter((r) => !r.tokenReused)).toHaveLength(1);
    expect(s.events.filter((e) => e.type === 'challenge')).toHaveLength(1);
    expect(s.served).toBe(100);
    expect(before - (await m.balance(m.buyer))).toBe(10_000 + results[0]!.feeMsat);
  });

  it("a request arriving while a 1-call token is being paid buys its own instead of spending the payer's call", async () => {
    const m = makeMarket({ latency: fixedLatency(15) });
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000, maxCalls: 1 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const before = await m.balance(m.buyer);
    const first = client.purchase(s.url);
    while (!client.tokens.list().some((t) => t.state === 'pending')) {
      await m.clock.advance(1);
      await settle(5);
    }
    const second = client.purchase(s.url);
    const results = await drive(m.clock, Promise.all([first, second]));

    expect(results.map((r) => r.outcome)).toEqual(['success', 'success']);
    expect(results.map((r) => r.paidMsat)).toEqual([10_000, 10_000]);
    expect(s.served).toBe(2);
    const fees = results[0]!.feeMsat + results[1]!.feeMsat;
    expect(before - (await m.balance(m.buyer))).toBe(20_000 + fees);
  });

  it.each([
    ['purchases', false],
    ['pay-on-success purchases', true],
  ])(
    'concurrent %s of two paths under one /v1 token pay once: the second waits for the first and reuses its token',
    async (_what, payOnSuccess) => {
      const m = makeMarket({ latency: fixedLatency(15) });
      const seller = prefixSeller(m, { payOnSuccess });
      const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
      const before = await m.balance(m.buyer);
      const buy = (path: string) => client.purchase(`http://scoped.test${path}`, {}, { payOnSuccess });

      const [a, b] = await drive(m.clock, Promise.all([buy('/v1/a'), buy('/v1/b')]));

      expect([a, b].map((r) => [r.outcome, r.paidMsat, r.tokenReused])).toEqual([
        ['success', 5_000, false],
        ['success', 0, true],
      ]);
      expect(b.paymentHash).toBe(a.paymentHash);
      expect(await b.response!.json()).toEqual({ path: 'b' });
      expect(seller.challenges()).toBe(2);
      expect(client.tokens.list().map((t) => [t.pathPrefix, t.state, t.callsUsed])).toEqual([
        ['/v1', 'paid', 2],
      ]);
      expect(before - (await m.balance(m.buyer))).toBe(5_000 + a.feeMsat);
    },
  );
});
