import { describe, expect, it } from 'vitest';
import { attenuate, caveats } from '../../infra/l402/index.js';
import type { Clock } from '../../infra/time/clock.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_FEE_MSAT, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

/**
 * A reseller's slices seen expiring 1 s after they are cut, as a reseller selling 1 s slices
 * (not one `createReseller` builds) delivers them: the macaroon attenuated with a tighter
 * `valid_until`, on the wire.
 */
function oneSecondSlices(clock: () => Clock) {
  return (f: typeof fetch): typeof fetch =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await f(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (url !== SLICE_URL || res.status !== 200) return res;
      const body = (await res.json()) as { macaroon: string; service: string };
      const expiry = caveats.validUntil(body.service, Math.floor(clock().now() / 1000) + 1);
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      const macaroon = attenuate(body.macaroon, [expiry]);
      return new Response(JSON.stringify({ ...body, macaroon }), { status: 200, headers });
    }) as typeof fetch;
}

describe("a checked slice is paid only when its macaroon lives the check's minLifeSec more", () => {
  it('a slice expiring 1 s after its cut is canceled before any call: 0 msat paid, the origin serves nothing', async () => {
    // The market's clock, once built: the transport reads it only when a slice is delivered.
    const built: { clock?: Clock } = {};
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subFetch: oneSecondSlices(() => built.clock!),
    });
    built.clock = m.clock;
    const before = await m.balance(subNodes[0]!);

    const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));

    expect(b.result).toMatchObject({
      outcome: 'slice_refused',
      reason:
        "the slice's macaroon expires in 1000 ms, less than the 60 s its check asks (minLifeSec): it was not used, and its hold is canceled",
      paidMsat: 0,
      feeMsat: 0,
    });
    expect(b.check).toBeUndefined();
    expect(b.slice).toBeUndefined();
    expect(before - (await m.balance(subNodes[0]!))).toBe(0);
    expect(origin.served).toBe(0);
    expect(reseller.stats()).toMatchObject({ slicesSold: 0, slicesRefused: 1, revenueMsat: 0 });
  });

  it('a 600 s slice is refused under minLifeSec 601 (0 msat) and paid under the default 60 (12,000 + 112 fee)', async () => {
    const { m, origin, reseller, agents, subNodes } = resaleMarket({ subs: 2 });
    const spent: number[] = [];
    const bought = [];
    for (const [i, minLifeSec] of [601, undefined].entries()) {
      const before = await m.balance(subNodes[i]!);
      const check = { url: origin.url, ...(minLifeSec !== undefined ? { minLifeSec } : {}) };
      bought.push(await drive(m.clock, agents[i]!.buySlice(SLICE_URL, {}, check)));
      spent.push(before - (await m.balance(subNodes[i]!)));
    }

    expect(bought.map((b) => [b.result.outcome, b.result.reason, b.check?.outcome])).toEqual([
      [
        'slice_refused',
        "the slice's macaroon expires in 600000 ms, less than the 601 s its check asks (minLifeSec): it was not used, and its hold is canceled",
        undefined,
      ],
      ['success', undefined, 'success'],
    ]);
    expect(spent).toEqual([0, SLICE_MSAT + SLICE_FEE_MSAT]);
    expect(origin.served).toBe(1);
    expect(reseller.stats()).toMatchObject({ slicesSold: 1, slicesRefused: 1, revenueMsat: SLICE_MSAT });
  });

  it.each([-1, 1.5, NaN])(
    'minLifeSec %s ends as bad_request before anything is sent: 0 msat, no slice delivered',
    async (minLifeSec) => {
      const { m, origin, reseller, agents } = resaleMarket();

      const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url, minLifeSec }));

      expect(b.result).toMatchObject({
        outcome: 'bad_request',
        reason: `the check's minLifeSec must be a whole number of seconds, 0 or more, got ${minLifeSec}: nothing was bought; pass the seconds the task's calls need after the check (default 60)`,
        paidMsat: 0,
        requests: 0,
      });
      expect(reseller.stats().slicesDelivered).toBe(0);
    },
  );
});
