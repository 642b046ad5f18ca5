import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../infra/log.js';
import { paymentHashOfToken } from '../../infra/l402/index.js';
import type { L402PaywallOptions } from '../../services/paywall/index.js';
import { HoldBook } from '../../services/paywall/hold.js';
import type { World } from '../paywall/helpers.js';
import {
  HOLD_REQUEST,
  PAYER,
  challengeOf,
  eventlessNode,
  holdRetryHeaders,
  json,
  makeWorld,
} from '../paywall/helpers.js';
import { HOLD_PRICE as PRICE, holdPaywall, payAndWalkAway } from '../paywall/helpers.js';

const EXPIRY_SEC = 600;

/** A pay-on-success route whose handler counts its runs; `extra` adds paywall options. */
function holdApp(w: World, extra: Partial<L402PaywallOptions> = {}) {
  const runs = { n: 0 };
  const paywall = holdPaywall(w, { invoiceExpirySec: EXPIRY_SEC, ...extra });
  const app = new Hono();
  app.get('/v1/job', paywall, (c) => (runs.n++, c.json({ result: 'ok' })));
  return { app, paywall, runs };
}

describe('pay-on-success: the retry needs what only the payer has', () => {
  it('the macaroon alone, seen in the 402, does not take the call the buyer paid for', async () => {
    const w = makeWorld();
    const { app, runs } = holdApp(w);
    const { macaroon, payment } = await payAndWalkAway(w, app);
    const thief = await app.request('/v1/job', { headers: { authorization: `L402 ${macaroon}:` } });
    expect(thief.status).toBe(402);
    expect((await json(thief)).reason).toBe('payer_key_mismatch');
    const wrongKey = await app.request('/v1/job', { headers: holdRetryHeaders(macaroon, 'cd'.repeat(32)) });
    expect(wrongKey.status).toBe(402);
    expect(runs.n).toBe(0);
    const buyer = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle();
    expect((await buyer).status).toBe(200);
    expect((await payment).status).toBe('succeeded');
    expect(runs.n).toBe(1);
  });

  it('a request for a hold invoice without a payer lock is refused with 400, and a plain one still gets 402', async () => {
    const w = makeWorld();
    const { app } = holdApp(w);
    const noLock = await app.request('/v1/job', { headers: { 'L402-Pay-On-Success': '1' } });
    expect(noLock.status).toBe(400);
    expect((await json(noLock)).error).toBe('payer_lock_required');
    const plain = await app.request('/v1/job');
    expect(plain.status).toBe(402);
    expect(plain.headers.get('L402-Pay-On-Success')).toBeNull();
  });
});

describe('pay-on-success: no hold outlives its invoice', () => {
  it('cancels a held HTLC whose retry never comes at the invoice expiry, and the payer keeps every msat', async () => {
    const w = makeWorld();
    const { app } = holdApp(w);
    const before = await w.buyer.balances();
    const started = w.clock.now();
    const { payment } = await payAndWalkAway(w, app);
    expect((await w.buyer.balances()).pendingOutMsat).toBe(PRICE);
    // Well before the HTLC's CLTV expiry (80 blocks): at the invoice's own expiry.
    await w.clock.runUntilIdle(started + EXPIRY_SEC * 1000 + 1_000);
    const p = await payment;
    expect(p).toMatchObject({ status: 'failed', failure: { reason: 'canceled' } });
    expect(await w.buyer.balances()).toEqual(before);
  });

  it('cancels every held HTLC on shutdown', async () => {
    const w = makeWorld();
    const { app, paywall } = holdApp(w);
    const before = await w.buyer.balances();
    const { payment } = await payAndWalkAway(w, app);
    await paywall.close();
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect((await payment).failure?.reason).toBe('canceled');
    expect(await w.buyer.balances()).toEqual(before);
  });
});

describe('the hold book', () => {
  it('looks at one entry per new hold however many unpaid holds pile up, and drops them all once expired', async () => {
    const w = makeWorld();
    const book = new HoldBook({ node: w.seller, clock: w.clock, logger: silentLogger, capacity: 100_000 });
    const hold = (i: number) => ({
      paymentHash: i.toString(16).padStart(64, '0'),
      preimage: '00'.repeat(32),
      payerLock: PAYER.lock,
      token: 't',
      invoice: 'i',
      tokenId: 'id',
      priceMsat: PRICE,
      tier: 0,
      expiresAtMs: w.clock.now() + EXPIRY_SEC * 1000,
      busy: false,
    });
    let added = 0;
    for (let i = 0; i < 20_000; i++) added += (await book.add(hold(i))).ok ? 1 : 0;
    expect(added).toBe(20_000);
    // The first add finds the book empty; each later one looks at the front entry only.
    expect(book.swept).toBe(19_999);
    await w.clock.advance(EXPIRY_SEC * 1000);
    await book.add(hold(20_000));
    expect(book.size).toBe(1);
    expect(book.swept).toBe(19_999 + 20_000);
  });

  it('a full book cancels its oldest unpaid hold for a new one: 5 unpaid hold requests on a 2-hold book each get an invoice, the 3 oldest canceled; an honest buyer then buys one (the 4th canceled), pays it and is served', async () => {
    const w = makeWorld();
    const { app, runs } = holdApp(w, { maxPendingHolds: 2 });
    const flood = [];
    for (let i = 0; i < 5; i++) flood.push(await holdRequest(app));
    expect(flood.map((f) => f.status)).toEqual([402, 402, 402, 402, 402]);
    expect(await statesOf(w, flood)).toEqual(['canceled', 'canceled', 'canceled', 'open', 'open']);

    const { macaroon, payment } = await payAndWalkAway(w, app);
    expect(await statesOf(w, flood)).toEqual(['canceled', 'canceled', 'canceled', 'canceled', 'open']);
    const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect((await retry).status).toBe(200);
    expect((await payment).status).toBe('succeeded');
    expect(runs.n).toBe(1);
  });

  it('a hold whose HTLC is accepted is never canceled to make room: paid and left, then 4 unpaid requests on a 2-hold book, each taking the place of the one before; its retry is then served and settled', async () => {
    const w = makeWorld();
    const { app } = holdApp(w, { maxPendingHolds: 2 });
    const { macaroon, payment } = await payAndWalkAway(w, app);
    const flood = [];
    for (let i = 0; i < 4; i++) flood.push(await holdRequest(app));
    expect(flood.map((f) => f.status)).toEqual([402, 402, 402, 402]);
    expect(await statesOf(w, flood)).toEqual(['canceled', 'canceled', 'canceled', 'open']);
    expect((await w.seller.lookupInvoice(paymentHashOfToken(macaroon)))?.state).toBe('accepted');
    const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect((await retry).status).toBe(200);
    expect((await payment).status).toBe('succeeded');
  });

  it('a hold paid through a node that pushes no invoice events is not canceled to make room either: the node is asked, says accepted, and the next unpaid hold goes instead', async () => {
    const w = makeWorld();
    const { app } = holdApp(w, { maxPendingHolds: 2, node: eventlessNode(w.seller) });
    const { macaroon, payment } = await payAndWalkAway(w, app);
    const flood = [await holdRequest(app), await holdRequest(app)];
    expect(flood.map((f) => f.status)).toEqual([402, 402]);
    expect(await statesOf(w, flood)).toEqual(['canceled', 'open']);
    const retry = Promise.resolve(app.request('/v1/job', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect((await retry).status).toBe(200);
    expect((await payment).status).toBe('succeeded');
  });

  it('with every hold paid, a new hold request is 503 holds_full with Retry-After until the first expires (500 s at 100 s), its invoice canceled; once they expire (canceled, refunded), holds are issued again', async () => {
    const w = makeWorld();
    const { app } = holdApp(w, { maxPendingHolds: 2 });
    const states: string[] = [];
    w.seller.onInvoice((inv) => states.push(inv.state));
    const t0 = w.clock.now();
    const paid = [await payAndWalkAway(w, app), await payAndWalkAway(w, app)];
    await w.clock.advance(t0 + 100_000 - w.clock.now());
    const full = await app.request('/v1/job', { headers: HOLD_REQUEST });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('500');
    expect(full.headers.get('www-authenticate')).toBeNull();
    expect(await json(full)).toEqual({
      error: 'holds_full',
      message:
        '2 hold invoices are in flight, the most this seller keeps, each paid or in use; retry in 500 s, or pay first (without L402-Pay-On-Success)',
    });
    expect(states.slice(-2)).toEqual(['open', 'canceled']);
    await w.clock.runUntilIdle(t0 + EXPIRY_SEC * 1000 + 2_000);
    expect((await Promise.all(paid.map((p) => p.payment))).map((p) => p.failure?.reason)).toEqual([
      'canceled',
      'canceled',
    ]);
    expect((await app.request('/v1/job', { headers: HOLD_REQUEST })).status).toBe(402);
  });
});

/** A request for a hold invoice: its status and the payment hash of its challenge, if any. */
async function holdRequest(app: Hono) {
  const res = await app.request('/v1/job', { headers: HOLD_REQUEST });
  return {
    status: res.status,
    hash: res.status === 402 ? paymentHashOfToken(challengeOf(res).macaroon) : '',
  };
}

/** The seller node's state of each request's invoice. */
async function statesOf(w: World, requests: { hash: string }[]) {
  return Promise.all(requests.map(async (r) => (await w.seller.lookupInvoice(r.hash))?.state));
}
