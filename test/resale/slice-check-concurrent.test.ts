import { describe, expect, it } from 'vitest';
import { drive } from '../buyer/market.js';
import { CANCEL_ALL, resaleMarket, SLICE_FEE_MSAT, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

describe('two slices one sub-agent buys at the same time are each checked with their own check (the client buys them one after the other)', () => {
  it('the slice checked at the origin is paid and the one checked at a 404 is refused, in either order: 12,112 msat spent each time', async () => {
    const outcomes: unknown[] = [];
    for (const order of ['good first', 'bad first']) {
      const { m, origin, agents, subNodes } = resaleMarket({ subBudgetMsat: 1_000_000 });
      const sub = agents[0]!;
      const good = { url: origin.url };
      const before = await m.balance(subNodes[0]!);
      const checks = order === 'good first' ? [good, CANCEL_ALL] : [CANCEL_ALL, good];
      const buys = await drive(
        m.clock,
        Promise.all(checks.map((check) => sub.buySlice(SLICE_URL, {}, check))),
      );
      const byCheck = checks.map((c, i) => [c.url, buys[i]!.result.outcome, buys[i]!.check?.outcome]);
      outcomes.push([order, ...byCheck, before - (await m.balance(subNodes[0]!))]);
    }

    const good = ['http://origin.test/v1/data', 'success', 'success'];
    // The slice's scope does not reach the 404 path: the check's call finds no token for it.
    const bad = [CANCEL_ALL.url, 'slice_refused', 'policy_denied'];
    expect(outcomes).toEqual([
      ['good first', good, bad, SLICE_MSAT + SLICE_FEE_MSAT],
      ['bad first', bad, good, SLICE_MSAT + SLICE_FEE_MSAT],
    ]);
  });
});
