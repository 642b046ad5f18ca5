import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../infra/log.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { HoldBook } from '../../services/paywall/hold.js';
import type { World } from '../paywall/helpers.js';
import { HOLD_REQUEST, PAYER, holdRetryHeaders, json, makeWorld } from '../paywall/helpers.js';
import { HOLD_PRICE as PRICE, holdPaywall, payAndWalkAway } from '../paywall/helpers.js';

const EXPIRY_SEC = 600;

/** A pay-on-success route whose handler counts its runs. */
function holdApp(w: World) {
  const runs = { n: 0 };
  const paywall = holdPaywall(w, { invoiceExpirySec: EXPIRY_SEC });
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
    for (let i = 0; i < 20_000; i++) added += book.add(hold(i)) ? 1 : 0;
    expect(added).toBe(20_000);
    // The first add finds the book empty; each later one looks at the front entry only.
    expect(book.swept).toBe(19_999);
    await w.clock.advance(EXPIRY_SEC * 1000);
    book.add(hold(20_000));
    expect(book.size).toBe(1);
    expect(book.swept).toBe(19_999 + 20_000);
  });

  it('refuses a new hold with 503 and Retry-After when full, never evicting one', async () => {
    const w = makeWorld();
    const app = new Hono();
    app.get(
      '/v1/job',
      l402Paywall({
        ...w,
        node: w.seller,
        service: 'compute',
        price: PRICE,
        payOnSuccess: true,
        maxPendingHolds: 2,
      }),
      (c) => c.json({ ok: true }),
    );
    for (let i = 0; i < 2; i++)
      expect((await app.request('/v1/job', { headers: HOLD_REQUEST })).status).toBe(402);
    const full = await app.request('/v1/job', { headers: HOLD_REQUEST });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('1');
    expect((await json(full)).error).toBe('holds_full');
  });
});
