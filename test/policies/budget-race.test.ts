import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseResult } from '../../agents/l402/index.js';
import { createPolicy } from '../../agents/policies/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { drive, makeMarket } from '../buyer/market.js';

describe('a budget shared by concurrent buyers, against the real paywall on the simnet', () => {
  it('200 concurrent purchases sharing one budget never overspend it by one msat', async () => {
    const m = makeMarket({ latency: fixedLatency(10) });
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const limitMsat = 1_000_000;
    const policy = createPolicy(
      { name: 'budget_window', params: { limitMsat, window: 'day' } },
      { clock: m.clock },
    );
    const before = await m.balance(m.buyer);
    // 200 agents of one fleet: their own clients and token stores, one node and one budget.
    const fleet = Array.from({ length: 200 }, (_, i) =>
      createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy, buyer: `agent-${i}` }),
    );

    const results: PurchaseResult[] = await drive(m.clock, Promise.all(fleet.map((c) => c.purchase(s.url))));

    const spent = before - (await m.balance(m.buyer));
    const reported = results.reduce((sum, r) => sum + r.paidMsat + r.feeMsat, 0);
    const ok = results.filter((r) => r.outcome === 'success');
    expect(spent).toBe(reported);
    // Each purchase holds price + fee ceiling (10,000 + 1,000): exactly 90 fit in 1,000,000 at once,
    // and each spends 10,000 + a 110 msat routing fee.
    expect(ok).toHaveLength(90);
    expect(spent).toBe(90 * 10_110);
    expect(results.filter((r) => r.outcome === 'over_budget')).toHaveLength(110);
    expect(s.served).toBe(90);
    // After they settled, the unused fee ceilings are free again: exactly what is left can still be held.
    const rest = limitMsat - spent;
    const q = { amountMsat: rest, maxFeeMsat: 0, url: s.url, host: s.host, payee: s.node.pubkey };
    expect((await policy.authorize({ ...q, amountMsat: rest + 1 }, { nowMs: m.clock.now() })).kind).toBe(
      'deny',
    );
    expect((await policy.authorize(q, { nowMs: m.clock.now() })).kind).toBe('allow');
  });
});
