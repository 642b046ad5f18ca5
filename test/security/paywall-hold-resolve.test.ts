import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { PaywallEvent } from '../../services/paywall/index.js';
import {
  HOLD_PRICE,
  holdPaywall,
  holdRetryHeaders,
  json,
  makeWorld,
  payAndWalkAway,
  type World,
} from '../paywall/helpers.js';

const PRICE = HOLD_PRICE;

/** Makes the seller's node fail `times` settles (or cancels) before it does them, as an LND that is away does. */
function failing(w: World, method: 'settleInvoice' | 'cancelInvoice', times: number): { calls: number[] } {
  const seen = { calls: [] as number[] };
  const real = w.seller[method].bind(w.seller) as (arg: string) => Promise<void>;
  let left = times;
  w.seller[method] = (arg: string) => {
    seen.calls.push(w.clock.now());
    if (left-- > 0) return Promise.reject(new Error('LND unreachable: connect ECONNREFUSED'));
    return real(arg);
  };
  return seen;
}

/** A pay-on-success route answering `status`, its events, and a buyer's paid hold retry (HTLC held, retry answered). */
async function holdAnswered(w: World, status: 200 | 500) {
  const events: PaywallEvent[] = [];
  const app = new Hono();
  app.get('/v1/job', holdPaywall(w, { onEvent: (e) => events.push(e) }), (c) =>
    c.json({ result: status === 200 ? 'the work' : 'failed' }, status),
  );
  const { macaroon, payment } = await payAndWalkAway(w, app);
  const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
  await w.clock.runUntilIdle(w.clock.now() + 100);
  return { app, macaroon, payment, answer: await retry, events, kinds: () => events.map((e) => e.type) };
}

describe('a hold the node fails to settle or cancel is kept and tried again, never forgotten', () => {
  it('a delivered call whose settle fails 3 times is settled 1 + 2 + 4 s later; the payer pays 7,000 msat once and its re-sent retry meanwhile gets 503, not a new invoice', async () => {
    const w = makeWorld();
    const settles = failing(w, 'settleInvoice', 3);
    const h = await holdAnswered(w, 200);
    expect(h.answer.status).toBe(200);
    const answeredAt = settles.calls[0]!;
    const again = await h.app.request('/v1/job', { headers: holdRetryHeaders(h.macaroon) });
    expect([again.status, (await json(again)).error]).toEqual([503, 'token_state_unknown']);
    await w.clock.runUntilIdle();
    const payment = await h.payment;
    expect([payment.status, payment.amountMsat, payment.feeMsat]).toEqual(['succeeded', PRICE, 0]);
    expect(settles.calls.map((t) => t - answeredAt)).toEqual([0, 1_000, 3_000, 7_000]);
    expect(h.kinds()).toEqual(['challenge', 'authorized', 'rejected', 'settled']);
    expect((await w.seller.lookupInvoice(payment.paymentHash))?.state).toBe('settled');
  });

  it('a failed call whose cancel fails twice is canceled 1 + 2 s later: the payer gets its 7,000 msat back', async () => {
    const w = makeWorld();
    const cancels = failing(w, 'cancelInvoice', 2);
    const h = await holdAnswered(w, 500);
    expect(h.answer.status).toBe(500);
    await w.clock.runUntilIdle();
    expect((await h.payment).status).toBe('failed');
    expect(cancels.calls.map((t) => t - cancels.calls[0]!)).toEqual([0, 1_000, 3_000]);
    expect(h.kinds()).toEqual(['challenge', 'authorized', 'refunded']);
    expect(w.net.audit().ok).toBe(true);
  });
});
