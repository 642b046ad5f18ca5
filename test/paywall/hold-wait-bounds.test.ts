/**
 * What an unpaid pay-on-success retry costs the seller while it waits for its
 * HTLC: a few node lookups (the poll backs off, `onInvoice` wakes it), a
 * bounded number of waits at once (`maxWaitingRetries`), and never a wait past
 * the invoice's expiry nor an expired invoice offered again as payable.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { L402PaywallOptions } from '../../services/paywall/index.js';
import { challengeOf, HOLD_REQUEST, holdPaywall, holdRetryHeaders, json, makeWorld } from './helpers.js';
import type { World } from './helpers.js';

/** A pay-on-success app on /v1/job counting the seller node's `lookupInvoice` calls. */
function countingApp(w: World, extra: Partial<L402PaywallOptions> = {}) {
  const lookups = { n: 0 };
  const lookup = w.seller.lookupInvoice.bind(w.seller);
  w.seller.lookupInvoice = (hash: string) => {
    lookups.n++;
    return lookup(hash);
  };
  const app = new Hono();
  app.get('/v1/job', holdPaywall(w, extra), (c) => c.json({ ok: 1 }));
  return { app, lookups };
}

const holdInvoice = async (app: Hono) => challengeOf(await app.request('/v1/job', { headers: HOLD_REQUEST }));

describe('an unpaid pay-on-success retry', () => {
  it('asks the node 21 times in its 30 s wait (50 ms doubling to 2 s), not 601, then gets the same invoice again', async () => {
    const w = makeWorld();
    const { app, lookups } = countingApp(w);
    const hold = await holdInvoice(app);
    const t0 = w.clock.now();
    const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(hold.macaroon) }));
    await w.clock.runUntilIdle();
    const res = await retry;
    expect([res.status, challengeOf(res).invoice === hold.invoice, lookups.n, w.clock.now() - t0]).toEqual([
      402,
      true,
      21,
      30_000,
    ]);
  });

  it('is refused 503 hold_waits_full with Retry-After 1 while maxWaitingRetries (2) others wait; one is let in once a wait ends', async () => {
    const w = makeWorld();
    const { app } = countingApp(w, { maxWaitingRetries: 2, holdTimeoutMs: 1_000 });
    const holds = [await holdInvoice(app), await holdInvoice(app), await holdInvoice(app)];
    const retry = (i: number) =>
      Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(holds[i]!.macaroon) }));
    const waiting = [retry(0), retry(1)];
    await w.clock.advance(1);
    const third = await retry(2);
    expect([third.status, third.headers.get('Retry-After'), await json(third)]).toEqual([
      503,
      '1',
      {
        error: 'hold_waits_full',
        message:
          '2 pay-on-success retries are waiting for their HTLC, the most this seller keeps; retry in 1 s',
      },
    ]);
    await w.clock.runUntilIdle();
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([402, 402]);
    const again = retry(2);
    await w.clock.runUntilIdle();
    expect([(await again).status, (await json(await again)).reason]).toEqual([402, 'payment_not_received']);
  });

  it('of a hold invoice expired unpaid is answered at once with a new invoice (402 hold_expired), and the hold is gone', async () => {
    const w = makeWorld();
    const { app, lookups } = countingApp(w, { invoiceExpirySec: 60 });
    const hold = await holdInvoice(app);
    await w.clock.advance(3_600_000);
    const res = await app.request('/v1/job', { headers: holdRetryHeaders(hold.macaroon) });
    const body = await json(res);
    expect([res.status, body.reason, challengeOf(res).invoice === hold.invoice, lookups.n]).toEqual([
      402,
      'hold_expired',
      false,
      0,
    ]);
    expect(body.message).toMatch(
      /^hold invoice [0-9a-f]{64} expired unpaid at 2026-01-01T00:01:00\.000Z; pay the invoice/,
    );
    const later = await app.request('/v1/job', { headers: holdRetryHeaders(hold.macaroon) });
    expect((await json(later)).reason).toBe('hold_not_found');
  });

  it('sent 20 s before its invoice expires waits 20 s, not 30, and is answered 402 hold_expired with a new invoice', async () => {
    const w = makeWorld();
    const { app } = countingApp(w, { invoiceExpirySec: 60 });
    const hold = await holdInvoice(app);
    await w.clock.advance(40_000);
    const t0 = w.clock.now();
    const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(hold.macaroon) }));
    await w.clock.runUntilIdle();
    const res = await retry;
    expect([
      res.status,
      (await json(res)).reason,
      challengeOf(res).invoice === hold.invoice,
      w.clock.now() - t0,
    ]).toEqual([402, 'hold_expired', false, 20_000]);
  });
});
