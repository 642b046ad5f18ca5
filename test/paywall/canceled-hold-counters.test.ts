import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { MemoryQuotaStore, type PaywallEvent } from '../../services/paywall/index.js';
import {
  HOLD_REQUEST,
  challengeOf,
  holdPaywall,
  holdRetryHeaders,
  type World,
  makeWorld,
} from './helpers.js';

/**
 * A pay-on-success route selling 3-call tokens with no lifetime (their counters would be kept for
 * ever), with buyer release, counting in `quotaStore`. The handler works 1 s on the clock, then
 * answers `?status=` (default 200).
 */
function holdRoute(w: World) {
  const route = { quotaStore: new MemoryQuotaStore(), events: [] as PaywallEvent[], app: new Hono() };
  const paywall = holdPaywall(w, {
    maxCalls: 3,
    buyerRelease: true,
    quotaStore: route.quotaStore,
    onEvent: (e) => route.events.push(e),
  });
  route.app.get('/v1/job', paywall, async (c) => {
    await w.clock.sleep(1_000);
    const status = Number(c.req.query('status') ?? 200) as ContentfulStatusCode;
    return c.json({ status }, status);
  });
  return route;
}

type Ending = 'delivered' | '502' | '404' | 'buyer gone' | 'buyer cancels' | 'no verdict';

/** One pay-on-success purchase ending as `ending`; what the payment became, and the token's authorization. */
async function purchase(w: World, route: ReturnType<typeof holdRoute>, ending: Ending) {
  const status = ending === '502' || ending === '404' ? ending : '200';
  const path = `/v1/job?status=${status}`;
  const { macaroon, invoice } = challengeOf(await route.app.request(path, { headers: HOLD_REQUEST }));
  // Past the 60 s default pay timeout: a hold with no verdict is canceled at 600 s.
  const payment = w.buyer.pay(invoice, { timeoutMs: 700_000 });
  await w.clock.runUntilIdle(w.clock.now() + 1_000);
  const release: Record<string, string> =
    ending === 'buyer cancels' || ending === 'no verdict' ? { 'L402-Release': 'buyer' } : {};
  const gone = new AbortController();
  const headers = { ...holdRetryHeaders(macaroon), ...release };
  const retry = Promise.resolve(route.app.request(path, { headers, signal: gone.signal }));
  if (ending === 'buyer gone') gone.abort(new Error('buyer timed out'));
  await w.clock.runUntilIdle(w.clock.now() + 2_000);
  await retry;
  if (ending === 'buyer cancels')
    await route.app.request(path, { headers: { ...holdRetryHeaders(macaroon), 'L402-Release': 'cancel' } });
  // No verdict: the hold is canceled at the invoice's expiry (600 s).
  await w.clock.runUntilIdle(w.clock.now() + (ending === 'no verdict' ? 600_000 : 1_000));
  const paid = await payment;
  const { preimage } = paid;
  return { payment: paid.status, authorization: preimage && formatAuthorization({ macaroon, preimage }) };
}

describe('a canceled pay-on-success hold leaves no call counters behind', () => {
  it('3-call tokens with no lifetime: after 3 holds of each refunded ending (502, 404, buyer gone, buyer cancel, no verdict) and 2 delivered, the store holds 2 counters, the delivered tokens’', async () => {
    const w = makeWorld();
    const route = holdRoute(w);
    const refunded: Ending[] = ['502', '404', 'buyer gone', 'buyer cancels', 'no verdict'];
    const payments: string[] = [];
    for (const ending of refunded)
      for (let i = 0; i < 3; i++) payments.push(`${ending}: ${(await purchase(w, route, ending)).payment}`);
    expect(payments).toEqual(refunded.flatMap((e) => Array(3).fill(`${e}: failed`)));
    const delivered = [await purchase(w, route, 'delivered'), await purchase(w, route, 'delivered')];
    expect(delivered.map((d) => d.payment)).toEqual(['succeeded', 'succeeded']);
    // A hold canceled at its expiry is logged, not an event: 12 events for 15 refunds.
    const ends = route.events.filter((e) => e.type === 'refunded' || e.type === 'settled');
    expect(ends.map((e) => `${e.type} ${e.status} ${e.reason ?? ''}`)).toEqual([
      ...Array(3).fill('refunded 502 '),
      ...Array(3).fill('refunded 404 '),
      ...Array(3).fill('refunded 200 request_aborted'),
      ...Array(3).fill('refunded 200 buyer_canceled'),
      ...Array(2).fill('settled 200 '),
    ]);
    expect(route.quotaStore.size).toBe(2);
    // A delivered token keeps its count: its second call has 1 of 3 left.
    const headers = { authorization: delivered[0]!.authorization! };
    const again = Promise.resolve(route.app.request('/v1/job', { headers }));
    await w.clock.runUntilIdle(w.clock.now() + 2_000);
    expect((await again).headers.get('L402-Calls-Remaining')).toBe('1');
  });
});
