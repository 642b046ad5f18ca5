import { describe, expect, it } from 'vitest';
import type { ResellerOptions } from '../../agents/resale/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_FEE_MSAT, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

/** The reseller set to oversell (`ResellerOptions.oversell`), which `ResaleMarketChoices` does not pick. */
const OVERSELL: Pick<ResellerOptions, 'oversell'> = { oversell: true };

/** A reseller's slice bodies seen with `calls: 3`, as a reseller lying about what it sells writes them. */
function claimingThreeCalls(f: typeof fetch): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const res = await f(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (url !== SLICE_URL || res.status !== 200) return res;
    const body = (await res.json()) as Record<string, unknown>;
    const headers = new Headers(res.headers);
    headers.delete('content-length');
    return new Response(JSON.stringify({ ...body, calls: 3 }), { status: 200, headers });
  }) as typeof fetch;
}

describe('a checked slice settles only when the origin leaves it the calls it was sold with', () => {
  it('the last 2-call slice of a 5-call bundle sold as three slices by a reseller set to oversell is refused at its first call (the bundle has 1 call left, not 2) and costs 0 msat', async () => {
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subs: 3,
      subBudgetMsat: 1_000_000,
      slicesPerBundle: 3,
      ...OVERSELL,
      origin: { maxCalls: 5 },
    });
    const check = { url: origin.url };
    const spent: number[] = [];
    const outcomes: string[][] = [];
    for (const [i, sub] of agents.entries()) {
      const before = await m.balance(subNodes[i]!);
      const b = await drive(m.clock, sub.buySlice(SLICE_URL, {}, check));
      const second = await drive(m.clock, sub.call(origin.url));
      outcomes.push([b.result.outcome, b.check!.outcome, second.outcome]);
      spent.push(before - (await m.balance(subNodes[i]!)));
      if (i === 2)
        expect(b.result.reason).toBe(
          'the slice failed its first call at http://origin.test/v1/data (token_refused: the seller refused a held token with calls left (HTTP 402 quota_exhausted))',
        );
    }
    expect(outcomes).toEqual([
      ['success', 'success', 'success'],
      ['success', 'success', 'success'],
      ['slice_refused', 'token_refused', 'policy_denied'],
    ]);
    const paid = SLICE_MSAT + SLICE_FEE_MSAT;
    expect(spent).toEqual([paid, paid, 0]);
    // The bundle's fifth call is nobody's: no slice of 2 fits in it.
    expect(origin.served).toBe(4);
    expect(reseller.stats()).toMatchObject({ slicesSold: 2, slicesRefused: 1, revenueMsat: 24_000 });
  });

  it('a slice whose body says 3 calls while its macaroon allows 2 is canceled after its first call: 0 msat paid', async () => {
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subBudgetMsat: 1_000_000,
      subFetch: claimingThreeCalls,
    });
    const before = await m.balance(subNodes[0]!);
    const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));
    expect(b.result.outcome).toBe('slice_refused');
    expect(b.result.reason).toBe('the slice is sold as 3 calls but its macaroon allows 2');
    expect(b.check!.outcome).toBe('success');
    expect(b.slice).toBeUndefined();
    expect(before - (await m.balance(subNodes[0]!))).toBe(0);
    expect(reseller.stats()).toMatchObject({ slicesSold: 0, slicesRefused: 1, revenueMsat: 0 });
  });

  it('a 2-call slice whose first call the origin answers with L402-Calls-Remaining: 0 (not the 1 more sold) is canceled after that call: 0 msat paid', async () => {
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subBudgetMsat: 1_000_000,
      origin: { callsRemaining: () => '0' },
    });
    const before = await m.balance(subNodes[0]!);
    const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));

    expect([b.result.outcome, b.check!.outcome]).toEqual(['slice_refused', 'success']);
    expect(b.result.reason).toBe(
      "after the slice's first call the origin leaves it 0 calls, not the 1 more it was sold with: its bundle is oversold",
    );
    expect(before - (await m.balance(subNodes[0]!))).toBe(0);
    expect(reseller.stats()).toMatchObject({ slicesSold: 0, slicesRefused: 1, revenueMsat: 0 });
  });
});
