import { describe, expect, it } from 'vitest';
import { isLabError } from '../../infra/errors.js';
import { attenuate, caveats } from '../../infra/l402/index.js';
import type { Clock } from '../../infra/time/clock.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_FEE_MSAT, SLICE_MSAT, SLICE_URL } from './reseller-market.js';

type SliceBody = Record<string, unknown> & { macaroon: string; service: string };

/** A hostile reseller on the wire: `rewrite` changes the body of each slice delivered (the `n`th, from 0). */
function rewrittenSlices(rewrite: (body: SliceBody, n: number) => SliceBody) {
  let n = 0;
  return (f: typeof fetch): typeof fetch =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await f(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (url !== SLICE_URL || res.status !== 200) return res;
      const body = rewrite((await res.json()) as SliceBody, n++);
      const headers = new Headers(res.headers);
      headers.delete('content-length');
      return new Response(JSON.stringify(body), { status: 200, headers });
    }) as typeof fetch;
}

/** The check's reason for a slice whose macaroon opens `origin:0` and whose body names `service`. */
const mismatch = (service: string) =>
  `the reseller's slice is unusable: its macaroon opens origin:0, not "${service}" alone as the token's service says: the limits read for that service are not the ones an origin enforces; a token is held only when bound to the one service it names (a copy made by delegate())`;

const PAID = SLICE_MSAT + SLICE_FEE_MSAT;

describe("a checked slice is paid only when its macaroon binds it to the body's service alone", () => {
  it('a slice expiring 5 s after its cut (origin_valid_until) whose body names service "nosuch" is refused before any call: 0 msat, the origin serves nothing (before: 12,112 msat for one call, then expired)', async () => {
    const built: { clock?: Clock } = {};
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subFetch: rewrittenSlices((body) => {
        const sec = Math.floor(built.clock!.now() / 1000) + 5;
        const macaroon = attenuate(body.macaroon, [caveats.validUntil(body.service, sec)]);
        return { ...body, macaroon, service: 'nosuch' };
      }),
    });
    built.clock = m.clock;
    const before = await m.balance(subNodes[0]!);

    const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));

    expect(b.result).toMatchObject({ outcome: 'slice_refused', reason: mismatch('nosuch'), paidMsat: 0 });
    expect(b.check).toBeUndefined();
    expect(before - (await m.balance(subNodes[0]!))).toBe(0);
    expect(origin.served).toBe(0);
    expect(reseller.stats()).toMatchObject({ slicesSold: 0, slicesRefused: 1, revenueMsat: 0 });
  });

  it('the first 2-call slice delivered again to a second buyer, naming service "nosuch" and no calls: the first buyer pays 12,112 msat, the second is refused at 0 msat before any call (before: both paid, and both second calls got quota_exhausted)', async () => {
    let first: SliceBody | undefined;
    const { m, origin, reseller, agents, subNodes } = resaleMarket({
      subs: 2,
      subFetch: rewrittenSlices((body, n) => {
        first ??= body;
        if (n === 0) return body;
        const { calls: _calls, ...rest } = body;
        return {
          ...rest,
          macaroon: first.macaroon,
          preimage: first.preimage,
          service: 'nosuch',
        } as SliceBody;
      }),
    });
    const spent: number[] = [];
    const buys = [];
    for (const i of [0, 1]) {
      const before = await m.balance(subNodes[i]!);
      buys.push(await drive(m.clock, agents[i]!.buySlice(SLICE_URL, {}, { url: origin.url })));
      spent.push(before - (await m.balance(subNodes[i]!)));
    }
    const second = await drive(m.clock, agents[0]!.call(origin.url));

    expect(buys.map((b) => [b.result.outcome, b.result.reason])).toEqual([
      ['success', undefined],
      ['slice_refused', mismatch('nosuch')],
    ]);
    expect(spent).toEqual([PAID, 0]);
    expect(second.outcome).toBe('success');
    expect(origin.served).toBe(2);
    expect(reseller.stats()).toMatchObject({ slicesSold: 1, slicesRefused: 1, revenueMsat: SLICE_MSAT });
  });

  it('a truthful slice whose chain also holds nosuch_valid_until 5 s ahead is refused as expiring in 5000 ms: the earliest valid_until of any service counts (before: paid 12,112 msat)', async () => {
    const built: { clock?: Clock } = {};
    const { m, origin, agents, subNodes } = resaleMarket({
      subFetch: rewrittenSlices((body) => {
        const sec = Math.floor(built.clock!.now() / 1000) + 5;
        return { ...body, macaroon: attenuate(body.macaroon, [caveats.validUntil('nosuch', sec)]) };
      }),
    });
    built.clock = m.clock;
    const before = await m.balance(subNodes[0]!);

    const b = await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }));

    expect(b.result).toMatchObject({
      outcome: 'slice_refused',
      reason:
        "the slice's macaroon expires in 5000 ms, less than the 60 s its check asks (minLifeSec): it was not used, and its hold is canceled",
    });
    expect(before - (await m.balance(subNodes[0]!))).toBe(0);
    expect(origin.served).toBe(0);
  });

  it('a sub-agent refuses to hold a token whose service is not the one its macaroon binds: receive throws service_mismatch and stores nothing (before: held with no expiry and no call limit)', async () => {
    const { m, origin, agents } = resaleMarket();
    const slice = (await drive(m.clock, agents[0]!.buySlice(SLICE_URL, {}, { url: origin.url }))).slice!;
    const sub = resaleMarket().agents[0]!;

    const err = await sub.receive({ ...slice, service: 'nosuch' }).catch((e: unknown) => e);

    expect(isLabError(err, 'service_mismatch')).toBe(true);
    expect((err as Error).message).toBe(mismatch('nosuch').replace("the reseller's slice is unusable: ", ''));
    expect(sub.client.tokens.list()).toEqual([]);
  });
});
