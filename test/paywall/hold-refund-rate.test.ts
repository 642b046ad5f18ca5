import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { paymentHashOfToken } from '../../infra/l402/index.js';
import type { L402PaywallOptions, PaywallEvent } from '../../services/paywall/index.js';
import {
  HOLD_REQUEST,
  challengeOf,
  holdPaywall,
  holdRetryHeaders,
  json,
  makeWorld,
  type World,
} from './helpers.js';

/** A pay-on-success route whose handler does its work (counted in `runs`), then fails unless `?ok=1`. */
function holdRoute(w: World, extra: Partial<L402PaywallOptions> = {}) {
  const route = { runs: 0, events: [] as PaywallEvent[], app: new Hono() };
  route.app.get('/v1/job', holdPaywall(w, { onEvent: (e) => route.events.push(e), ...extra }), (c) => {
    route.runs++;
    return c.req.query('ok') ? c.json({ result: 'ok' }) : c.json({ error: 'model_unavailable' }, 502);
  });
  return route;
}

/** Asks for a hold invoice (402, or the refusal), without paying it. */
async function askHold(route: ReturnType<typeof holdRoute>, path = '/v1/job') {
  return route.app.request(path, { headers: HOLD_REQUEST });
}

/** A whole pay-on-success purchase of `path`: ask, pay, retry while the HTLC is held. */
async function purchase(w: World, route: ReturnType<typeof holdRoute>, path = '/v1/job') {
  const { macaroon, invoice } = challengeOf(await askHold(route, path));
  const paying = w.buyer.pay(invoice);
  const retry = Promise.resolve(route.app.request(path, { headers: holdRetryHeaders(macaroon) }));
  await w.clock.runUntilIdle();
  const res = await retry;
  return `${res.status} ${(await paying).status}`;
}

/** A pay-on-success route whose handler works 1 s on the clock (runs counted), then fails unless `?ok=1`. */
function slowHoldRoute(w: World, extra: Partial<L402PaywallOptions> = {}) {
  const route = { runs: 0, events: [] as PaywallEvent[], app: new Hono() };
  route.app.get('/v1/job', holdPaywall(w, { onEvent: (e) => route.events.push(e), ...extra }), async (c) => {
    route.runs++;
    await w.clock.sleep(1_000);
    return c.req.query('ok') ? c.json({ result: 'ok' }) : c.json({ error: 'model_unavailable' }, 502);
  });
  return route;
}

/**
 * `n` pay-on-success purchases of `path` sent at once: all hold invoices asked for and paid (the
 * HTLCs held), then all retries sent together. Each answer's status and body, and each payment's end.
 */
async function purchasesAtOnce(
  w: World,
  route: ReturnType<typeof slowHoldRoute>,
  n: number,
  path = '/v1/job',
) {
  const holds: { macaroon: string; invoice: string }[] = [];
  for (let i = 0; i < n; i++) holds.push(challengeOf(await askHold(route, path)));
  const payments = holds.map((h) => w.buyer.pay(h.invoice));
  await w.clock.runUntilIdle(w.clock.now() + 1_000);
  const retries = holds.map((h) =>
    Promise.resolve(route.app.request(path, { headers: holdRetryHeaders(h.macaroon) })),
  );
  await w.clock.runUntilIdle(w.clock.now() + 10_000);
  const answers = await Promise.all(
    retries.map(async (r, i) => {
      const res = await r;
      return { status: res.status, body: await json(res), hash: paymentHashOfToken(holds[i]!.macaroon) };
    }),
  );
  return { answers, payments: (await Promise.all(payments)).map((p) => p.status) };
}

/** How many of `items` have each value of `key`, as `{ value: count }`. */
const tally = <T>(items: T[], key: (t: T) => string | number | undefined) => {
  const counts: Record<string, number> = {};
  for (const t of items) counts[String(key(t))] = (counts[String(key(t))] ?? 0) + 1;
  return counts;
};

const LIMITED = (calls: number, per: string, sec: number) =>
  `this seller refunds at most ${calls} pay-on-success calls it did not deliver per ${per}, and has none left; retry in ${sec} s, or pay first (without L402-Pay-On-Success)`;

describe('pay-on-success refunds after the handler ran are bounded for all buyers together', () => {
  it('with holdRefundRate 2 a minute: a delivered call takes none, 2 failed runs are refunded, then a hold request is 429 with no invoice until a refund is back', async () => {
    const w = makeWorld();
    const route = holdRoute(w, { holdRefundRate: { calls: 2, perMs: 60_000 } });
    const outcomes = [
      await purchase(w, route, '/v1/job?ok=1'),
      await purchase(w, route),
      await purchase(w, route),
    ];
    expect(outcomes).toEqual(['200 succeeded', '502 failed', '502 failed']);
    const refused = await askHold(route);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('30');
    expect(refused.headers.get('WWW-Authenticate')).toBeNull();
    expect(await json(refused)).toEqual({ error: 'hold_refunds_limited', message: LIMITED(2, '60 s', 30) });
    // Paying first is still sold.
    expect((await route.app.request('/v1/job')).status).toBe(402);
    expect(route.events.filter((e) => e.type === 'challenge')).toHaveLength(4);
    // One refund comes back 30 s later: a hold invoice is issued again.
    await w.clock.advance(30_000);
    expect(await purchase(w, route)).toBe('502 failed');
    expect((await askHold(route)).status).toBe(429);
    expect(route.runs).toBe(4);
  });

  it('a hold issued before the refunds ran out is canceled at its retry without running the handler: 429, the HTLC goes back', async () => {
    const w = makeWorld();
    const route = holdRoute(w, { holdRefundRate: { calls: 1, perMs: 60_000 } });
    // Two hold invoices while one refund is left, both paid and held.
    const first = challengeOf(await askHold(route));
    const second = challengeOf(await askHold(route));
    const payments = [w.buyer.pay(first.invoice), w.buyer.pay(second.invoice)];
    await w.clock.runUntilIdle(w.clock.now() + 1_000);
    const failed = await route.app.request('/v1/job', { headers: holdRetryHeaders(first.macaroon) });
    expect(failed.status).toBe(502);
    const late = Promise.resolve(
      route.app.request('/v1/job', { headers: holdRetryHeaders(second.macaroon) }),
    );
    await w.clock.runUntilIdle();
    const res = await late;
    const hash = paymentHashOfToken(second.macaroon);
    expect(res.status).toBe(429);
    expect(await json(res)).toEqual({
      error: 'hold_refunds_limited',
      message: `hold invoice ${hash} is canceled (your HTLC goes back), the call not run: ${LIMITED(1, '60 s', 60)}`,
    });
    expect((await Promise.all(payments)).map((p) => p.status)).toEqual(['failed', 'failed']);
    expect((await w.seller.lookupInvoice(hash))?.state).toBe('canceled');
    expect(route.runs).toBe(1);
    expect(route.events.filter((e) => e.paymentHash === hash).map((e) => [e.type, e.status])).toEqual([
      ['challenge', 402],
      ['rejected', 429],
      ['refunded', 429],
    ]);
    expect(w.net.audit()).toMatchObject({ ok: true });
  });

  it('by default refunds 60 failed runs a minute: the 61st hold request is 429', async () => {
    const w = makeWorld();
    const route = holdRoute(w);
    const outcomes = new Set<string>();
    for (let i = 0; i < 60; i++) outcomes.add(await purchase(w, route));
    expect([...outcomes]).toEqual(['502 failed']);
    const refused = await askHold(route);
    expect(refused.status).toBe(429);
    expect(await json(refused)).toEqual({ error: 'hold_refunds_limited', message: LIMITED(60, '60 s', 1) });
    expect(route.runs).toBe(60);
  });

  it('with holdRefundRate 2 a minute, 20 paid holds retried at once on a slow failing handler: the handler runs 2 times, 18 retries are 429 hold_refunds_limited, all 20 holds canceled', async () => {
    const w = makeWorld();
    const route = slowHoldRoute(w, { holdRefundRate: { calls: 2, perMs: 60_000 } });
    const before = await w.buyer.balances();
    const { answers, payments } = await purchasesAtOnce(w, route, 20);
    expect(route.runs).toBe(2);
    expect(tally(answers, (a) => a.status)).toEqual({ 429: 18, 502: 2 });
    for (const a of answers.filter((x) => x.status === 429))
      expect(a.body).toEqual({
        error: 'hold_refunds_limited',
        message: `hold invoice ${a.hash} is canceled (your HTLC goes back), the call not run: ${LIMITED(2, '60 s', 30)}`,
      });
    expect(tally(payments, (p) => p)).toEqual({ failed: 20 });
    expect(tally(route.events, (e) => `${e.type} ${e.status}`)).toEqual({
      'challenge 402': 20,
      'authorized undefined': 2,
      'rejected 429': 18,
      'refunded 429': 18,
      'refunded 502': 2,
    });
    expect(await w.buyer.balances()).toEqual(before);
    expect(w.net.audit()).toMatchObject({ ok: true });
  });

  it('with holdRefundRate 2 a minute, 3 rounds of 2 delivered calls at once use up no refund: 20 failing retries at once then run the handler 2 times, 18 are 429', async () => {
    const w = makeWorld();
    const route = slowHoldRoute(w, { holdRefundRate: { calls: 2, perMs: 60_000 } });
    const delivered: number[] = [];
    for (let round = 0; round < 3; round++) {
      const { answers, payments } = await purchasesAtOnce(w, route, 2, '/v1/job?ok=1');
      delivered.push(...answers.map((a) => a.status));
      expect(payments).toEqual(['succeeded', 'succeeded']);
    }
    expect(delivered).toEqual([200, 200, 200, 200, 200, 200]);
    const { answers, payments } = await purchasesAtOnce(w, route, 20);
    expect(tally(answers, (a) => a.status)).toEqual({ 429: 18, 502: 2 });
    expect(tally(payments, (p) => p)).toEqual({ failed: 20 });
    expect(route.runs).toBe(8);
    expect(tally(route.events, (e) => `${e.type} ${e.status}`)).toMatchObject({
      'settled 200': 6,
      'refunded 502': 2,
      'refunded 429': 18,
    });
  });
});
