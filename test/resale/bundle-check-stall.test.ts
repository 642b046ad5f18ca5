/**
 * A bundle check the origin never answers. The check runs as an upstream request in flight, as a
 * bundle purchase does: it waits at most `upstreamTimeoutSec`, the paid retries waiting for it are
 * told so (not that "other buyers were served first"), no answer opens the breaker, and the bundle
 * stays suspect, so it is checked again once the breaker closes instead of being sold on unchecked.
 */
import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseResult } from '../../agents/l402/index.js';
import { createReseller, createSubAgent } from '../../agents/resale/index.js';
import { drive, makeMarket, type Market } from '../buyer/market.js';
import { CANCEL_ALL, resellerOptions, SLICE_URL } from './reseller-market.js';

/** A transport whose requests to the origin get no answer while `stalled` (each waits for its abort). */
function stallable(m: Market) {
  const state = { stalled: false };
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const req = new Request(input, init);
    if (!state.stalled || !req.url.startsWith('http://origin.test/')) return m.fetch(input, init);
    return new Promise<Response>((_, reject) =>
      req.signal.addEventListener('abort', () => reject(req.signal.reason as Error)),
    );
  }) as typeof globalThis.fetch;
  return { state, fetch };
}

/** One honest 1-call slice of a 20-call bundle, then three canceled: the next claim checks the bundle. */
async function suspectBundle() {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 20 });
  const o = resellerOptions(m, origin.url, {
    upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
    slice: { calls: 1, validForSec: 600, priceMsat: 2_500 },
  });
  const upstream = stallable(m);
  o.client = createL402Client({ node: o.node, fetch: upstream.fetch, clock: m.clock, buyer: 'reseller' });
  const reseller = createReseller(o);
  m.mount('reseller.test', reseller.app);
  const sub = (name: string) =>
    createSubAgent({
      name,
      node: m.addNode(name, { toHub: true }),
      fetch: m.fetch,
      clock: m.clock,
      budgetMsat: 1_000_000,
    });
  const check = { url: origin.url };
  const honest = sub('honest');
  const canceler = sub('canceler');
  expect((await drive(m.clock, honest.buySlice(SLICE_URL, {}, check))).result.outcome).toBe('success');
  for (let k = 0; k < 3; k++)
    expect((await drive(m.clock, canceler.buySlice(SLICE_URL, {}, CANCEL_ALL))).result.outcome).toBe(
      'slice_refused',
    );
  return { m, reseller, upstream, sub, check };
}

/** A failed slice purchase as the buyer saw it: outcome, status, paid, the reseller's message, when it ended. */
async function seen(r: PurchaseResult, t0: number) {
  const body = (await r.response?.json()) as { message?: string } | undefined;
  return [r.outcome, r.status, r.paidMsat, body?.message, r.timings.endedAt - t0];
}

describe('a bundle check the origin never answers', () => {
  it('two paid retries behind it get 503 after 10 s naming the check and the back-off; the breaker opens for 60 s; the bundle is checked again after it, then sold', async () => {
    const { m, reseller, upstream, sub, check } = await suspectBundle();
    upstream.state.stalled = true;
    const t0 = m.clock.now();
    const first = sub('b1').buySlice(SLICE_URL, {}, check);
    const second = (async () => {
      await m.clock.sleep(1_000);
      return sub('b2').buySlice(SLICE_URL, {}, check);
    })();
    const [b1, b2] = await drive(m.clock, Promise.all([first, second]));

    expect(await seen(b1.result, t0)).toEqual([
      'not_delivered',
      503,
      0,
      'no slice within 10 s: the check of the bundle at http://origin.test/v1/data is still in flight; no slice is sold for 60 s, retry after that',
      10_000,
    ]);
    expect(await seen(b2.result, t0)).toEqual([
      'not_delivered',
      503,
      0,
      'no bundle is checked at http://origin.test/v1/data while it is backed off; no slice is sold for 60 s, retry after that',
      10_000,
    ]);
    expect(reseller.stats()).toMatchObject({ bundleChecks: 1, failures: 2, slicesSold: 1 });

    upstream.state.stalled = false;
    await m.clock.advance(60_000);
    const after = await drive(m.clock, sub('b3').buySlice(SLICE_URL, {}, check));

    expect(after.result).toMatchObject({ outcome: 'success', paidMsat: 2_500 });
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, bundleChecks: 2, failures: 2, slicesSold: 2 });
  });
});
