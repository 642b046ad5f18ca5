import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { formatAuthorization, paymentHashOfToken } from '../../infra/l402/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import type { World } from './helpers.js';
import {
  HOLD_PRICE,
  HOLD_REQUEST,
  challengeOf,
  holdPaywall,
  holdRetryHeaders,
  json,
  makeWorld,
  sha256Hex,
} from './helpers.js';

const PRICE = HOLD_PRICE;

/** A route whose handler fails on demand, behind a pay-on-success paywall. */
function holdApp(
  w: World,
  events: PaywallEvent[] = [],
  opts: { maxCalls?: number; holdTimeoutMs?: number } = {},
) {
  const app = new Hono();
  app.get('/v1/job', holdPaywall(w, { onEvent: (e) => events.push(e), ...opts }), (c) =>
    c.req.query('fail') ? c.json({ error: 'job crashed' }, 500) : c.json({ result: 'ok' }),
  );
  return app;
}

/** Asks for a hold invoice, starts paying it, and retries with `L402 <mac>:` while the HTLC is held. */
async function payOnSuccess(w: World, app: Hono, path: string) {
  const first = await app.request(path, { headers: HOLD_REQUEST });
  expect(first.status).toBe(402);
  expect(first.headers.get('L402-Pay-On-Success')).toBe('1');
  expect((await json(first)).payOnSuccess).toBe(true);
  const { macaroon, invoice } = challengeOf(first);
  const paying = w.buyer.pay(invoice);
  const retry = Promise.resolve(app.request(path, { headers: holdRetryHeaders(macaroon) }));
  await w.clock.runUntilIdle();
  return { res: await retry, payment: await paying, macaroon };
}

describe('pay-on-success with hold invoices', () => {
  it('settles the invoice when the handler succeeds: the payer gets the preimage, the seller the sats', async () => {
    const w = makeWorld();
    const events: PaywallEvent[] = [];
    const app = holdApp(w, events, { maxCalls: 2 });
    const sellerBefore = (await w.seller.balances()).localMsat;
    const { res, payment, macaroon } = await payOnSuccess(w, app, '/v1/job');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ result: 'ok' });
    expect(payment.status).toBe('succeeded');
    expect(sha256Hex(payment.preimage!)).toBe(paymentHashOfToken(macaroon));
    expect((await w.seller.balances()).localMsat - sellerBefore).toBe(PRICE);
    expect((await w.seller.lookupInvoice(payment.paymentHash))?.state).toBe('settled');
    // Once settled, the token is an ordinary one: the second call of the bundle uses the preimage.
    const again = await app.request('/v1/job', {
      headers: { authorization: formatAuthorization({ macaroon, preimage: payment.preimage! }) },
    });
    expect(again.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['challenge', 'authorized', 'settled', 'authorized']);
  });

  it('cancels the invoice when the handler fails: the payer is refunded to the msat', async () => {
    const w = makeWorld();
    const events: PaywallEvent[] = [];
    const app = holdApp(w, events);
    const buyerBefore = await w.buyer.balances();
    const sellerBefore = await w.seller.balances();
    const { res, payment } = await payOnSuccess(w, app, '/v1/job?fail=1');
    expect(res.status).toBe(500);
    expect(payment.status).toBe('failed');
    expect(payment.preimage).toBeUndefined();
    expect((await w.seller.lookupInvoice(payment.paymentHash))?.state).toBe('canceled');
    const buyerAfter = await w.buyer.balances();
    expect(buyerAfter.localMsat).toBe(buyerBefore.localMsat);
    expect(buyerAfter.pendingOutMsat).toBe(0);
    expect((await w.seller.balances()).localMsat).toBe(sellerBefore.localMsat);
    expect(events.map((e) => e.type)).toEqual(['challenge', 'authorized', 'refunded']);
    expect(w.net.audit()).toMatchObject({ ok: true });
  });

  it('waits for an HTLC that takes time to arrive (per-hop latency on the virtual clock): done after 250 ms there and 250 ms back', async () => {
    const w = makeWorld({ latency: fixedLatency(250) });
    const app = holdApp(w);
    const t0 = w.clock.now();
    const { res, payment } = await payOnSuccess(w, app, '/v1/job');
    expect(res.status).toBe(200);
    expect(payment.status).toBe('succeeded');
    // The HTLC reaches the seller after one 250 ms hop; the handler answers and the settle takes one hop back.
    expect(w.clock.now() - t0).toBe(500);
  });

  it('answers the same challenge again when no HTLC arrives before the timeout', async () => {
    const w = makeWorld();
    const app = holdApp(w, [], { holdTimeoutMs: 2_000 });
    const first = await app.request('/v1/job', { headers: HOLD_REQUEST });
    const ch = challengeOf(first);
    const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(ch.macaroon) }));
    await w.clock.runUntilIdle();
    const res = await retry;
    expect(res.status).toBe(402);
    expect((await json(res)).reason).toBe('payment_not_received');
    expect(challengeOf(res)).toEqual(ch);
  });

  it('refuses an empty preimage for an invoice it never issued as hold', async () => {
    const w = makeWorld();
    const app = holdApp(w);
    const plain = await app.request('/v1/job'); // no pay-on-success header: an ordinary invoice
    const { macaroon } = challengeOf(plain);
    const res = await app.request('/v1/job', { headers: holdRetryHeaders(macaroon) });
    expect(res.status).toBe(402);
    expect((await json(res)).reason).toBe('hold_not_found');
  });
});
