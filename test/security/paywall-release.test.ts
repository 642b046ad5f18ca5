import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { insecureSeededSecrets } from '../../infra/random.js';
import { l402Paywall } from '../../services/paywall/index.js';
import type { World } from '../paywall/helpers.js';
import { HOLD_REQUEST, challengeOf, holdRetryHeaders, json, makeWorld } from '../paywall/helpers.js';

const PRICE = 7_000;
const EXPIRY_SEC = 600;

/** A pay-on-success route with buyer release whose handler counts its runs. */
function releaseApp(w: World) {
  const runs = { n: 0 };
  const paywall = l402Paywall({
    ...w,
    node: w.seller,
    service: 'slices',
    price: PRICE,
    payOnSuccess: true,
    buyerRelease: true,
    invoiceExpirySec: EXPIRY_SEC,
    secrets: insecureSeededSecrets(w.rng.fork('preimages')),
  });
  const app = new Hono();
  app.get('/slice', paywall, (c) => (runs.n++, c.json({ slice: runs.n })));
  return { app, runs };
}

/** Asks for a hold invoice, pays it, and retries asking for buyer release; returns the 2xx and the pending payment. */
async function deliveredOnHold(w: World, app: Hono) {
  const { macaroon, invoice } = challengeOf(await app.request('/slice', { headers: HOLD_REQUEST }));
  // Past the 60 s default pay timeout: a hold with no verdict is canceled at the invoice expiry.
  const payment = w.buyer.pay(invoice, { timeoutMs: 2 * EXPIRY_SEC * 1000 });
  await w.clock.runUntilIdle(w.clock.now() + 1_000);
  const res = Promise.resolve(
    app.request('/slice', { headers: { ...holdRetryHeaders(macaroon), 'L402-Release': 'buyer' } }),
  );
  await w.clock.runUntilIdle(w.clock.now() + 1_000);
  return { macaroon, payment, delivered: await res };
}

/** The buyer's spendable msat. */
const local = async (w: World) => (await w.buyer.balances()).localMsat;

const verdict = (macaroon: string, v: string, key?: string) => ({
  ...holdRetryHeaders(macaroon, key),
  'L402-Release': v,
});

describe('pay-on-success with buyer release', () => {
  it('delivers with the HTLC still held, and settles on the payer’s settle: the payer pays 7,000 once', async () => {
    const w = makeWorld();
    const { app, runs } = releaseApp(w);
    const before = await local(w);
    const { macaroon, payment, delivered } = await deliveredOnHold(w, app);
    expect(delivered.status).toBe(200);
    expect(delivered.headers.get('L402-Release')).toBe('pending');
    // Delivered once: a second retry does not run the handler again.
    const again = await app.request('/slice', { headers: holdRetryHeaders(macaroon) });
    expect(again.status).toBe(409);
    expect((await json(again)).error).toBe('awaiting_release');
    const settled = await app.request('/slice', { headers: verdict(macaroon, 'settle') });
    expect(settled.status).toBe(200);
    expect((await json(settled)).released).toBe('settled');
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect((await payment).status).toBe('succeeded');
    expect(before - (await local(w))).toBe(PRICE);
    expect(runs.n).toBe(1);
  });

  it('cancels on the payer’s cancel: the payer’s HTLC comes back, 0 msat paid', async () => {
    const w = makeWorld();
    const { app } = releaseApp(w);
    const before = await local(w);
    const { macaroon, payment } = await deliveredOnHold(w, app);
    const canceled = await app.request('/slice', { headers: verdict(macaroon, 'cancel') });
    expect((await json(canceled)).released).toBe('canceled');
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    expect((await payment).status).toBe('failed');
    expect(await local(w)).toBe(before);
  });

  it('takes no verdict from someone holding only the macaroon, nor before anything was delivered', async () => {
    const w = makeWorld();
    const { app } = releaseApp(w);
    const { macaroon, invoice } = challengeOf(await app.request('/slice', { headers: HOLD_REQUEST }));
    void w.buyer.pay(invoice);
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    const early = await app.request('/slice', { headers: verdict(macaroon, 'settle') });
    expect(early.status).toBe(409);
    expect((await json(early)).error).toBe('nothing_to_release');
    const thief = await app.request('/slice', {
      headers: { authorization: `L402 ${macaroon}:`, 'L402-Release': 'settle' },
    });
    expect(thief.status).toBe(402);
    expect((await json(thief)).reason).toBe('payer_key_mismatch');
    const wrongKey = await app.request('/slice', { headers: verdict(macaroon, 'cancel', 'cd'.repeat(32)) });
    expect((await json(wrongKey)).reason).toBe('payer_key_mismatch');
  });

  it('cancels a delivered hold whose payer never sends a verdict at the invoice expiry', async () => {
    const w = makeWorld();
    const { app } = releaseApp(w);
    const before = await local(w);
    const { payment } = await deliveredOnHold(w, app);
    await w.clock.runUntilIdle(w.clock.now() + EXPIRY_SEC * 1000);
    expect((await payment).status).toBe('failed');
    expect(await local(w)).toBe(before);
  });

  it('settles on delivery, as plain pay-on-success, when the retry does not ask for buyer release', async () => {
    const w = makeWorld();
    const { app } = releaseApp(w);
    const { macaroon, invoice } = challengeOf(await app.request('/slice', { headers: HOLD_REQUEST }));
    const payment = w.buyer.pay(invoice);
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    const res = Promise.resolve(app.request('/slice', { headers: holdRetryHeaders(macaroon) }));
    await w.clock.runUntilIdle();
    expect((await res).headers.get('L402-Release')).toBeNull();
    expect((await payment).status).toBe('succeeded');
  });

  it('refuses buyerRelease without payOnSuccess when the paywall is built', () => {
    const w = makeWorld();
    expect(() =>
      l402Paywall({ ...w, node: w.seller, service: 's', price: PRICE, buyerRelease: true }),
    ).toThrow('options.buyerRelease needs payOnSuccess: true');
  });
});
