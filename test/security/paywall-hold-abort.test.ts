import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../services/http/listen.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import { InMemoryHttp } from '../../sim/market/http.js';
import type { World } from '../paywall/helpers.js';
import { holdRetryHeaders, makeWorld } from '../paywall/helpers.js';
import { holdPaywall, payAndWalkAway } from '../paywall/helpers.js';

let server: Listening | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * A pay-on-success route whose handler answers 200 only once the test opens
 * its gate; `seen` resolves with the handler's request signal when it starts.
 */
function gatedHoldApp(w: World) {
  const events: PaywallEvent[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let seen: (signal: AbortSignal) => void = () => undefined;
  const started = new Promise<AbortSignal>((resolve) => (seen = resolve));
  const paywall = holdPaywall(w, { buyerRelease: true, onEvent: (e) => events.push(e) });
  const app = new Hono();
  app.get('/v1/job', paywall, async (c) => {
    seen(c.req.raw.signal);
    await gate;
    return c.json({ result: 'ok' });
  });
  return { app, events, open, started };
}

/** How a retry reaches the app: `fetch(url, init)` on some transport. */
type Send = (url: string, init: RequestInit) => Promise<Response>;

/** Asks for a hold invoice, pays it, and sends the retry (`extra` headers added) with `signal`. */
async function payAndRetry(w: World, app: Hono, send: Send, signal: AbortSignal, extra = {}) {
  const { macaroon, payment } = await payAndWalkAway(w, app);
  const headers = { ...holdRetryHeaders(macaroon), ...extra };
  const answer = send('http://seller.test/v1/job', { headers, signal }).then(
    (res) => res.status,
    (err: Error) => `rejected: ${err.message}`,
  );
  return { payment, answer };
}

const isEnd = (e: PaywallEvent) => e.type === 'settled' || e.type === 'refunded';

/** Runs the world until the paywall reported the hold's end (1,000 turns at most), then what the buyer's payment became. */
async function holdEnd(w: World, events: PaywallEvent[], payment: ReturnType<World['buyer']['pay']>) {
  for (let turn = 0; turn < 1_000 && !events.some(isEnd); turn++)
    await new Promise((resolve) => setImmediate(resolve));
  const end = events.find(isEnd);
  if (!end) return { payment: 'pending', end: 'no settled or refunded event' };
  await w.clock.runUntilIdle();
  const p = await payment;
  return { payment: p.status, failure: p.failure?.reason, end };
}

/** The transports a retry can take: the embedded world's fetch (a URL, or a Request), and a real socket. */
async function transport(kind: 'url' | 'request' | 'socket', app: Hono): Promise<Send> {
  if (kind === 'socket') {
    server = await listen(app.fetch);
    const base = server.url;
    return (url, init) => fetch(base + new URL(url).pathname, init);
  }
  const http = new InMemoryHttp();
  http.serve('seller.test', (req) => app.fetch(req));
  return kind === 'url' ? http.fetch : (url, init) => http.fetch(new Request(url, init));
}

const REFUNDED = { payment: 'failed', failure: 'canceled' };

describe('pay-on-success: a buyer that gave up before the answer is refunded, not charged', () => {
  it.each([
    ['the embedded fetch of a URL', 'url', { 'L402-Release': 'buyer' }],
    ['the embedded fetch of a Request carrying the signal', 'request', { 'L402-Release': 'buyer' }],
    ['a real 127.0.0.1 socket', 'socket', {}],
    ['a real 127.0.0.1 socket, with buyer release', 'socket', { 'L402-Release': 'buyer' }],
  ] as const)(
    'over %s: the retry aborted while the handler runs is rejected, the handler then answers 200, and the hold is canceled (refunded, request_aborted)',
    async (_what, kind, extra) => {
      const w = makeWorld();
      const { app, events, open, started } = gatedHoldApp(w);
      const send = await transport(kind, app);
      const before = await w.buyer.balances();
      const abort = new AbortController();
      const { payment, answer } = await payAndRetry(w, app, send, abort.signal, extra);
      const serverSignal = await started;
      abort.abort(new Error('buyer timed out'));
      // A node server learns it when the socket closes; the embedded world at once.
      if (kind === 'socket')
        await new Promise((resolve) => serverSignal.addEventListener('abort', resolve, { once: true }));
      open();

      expect(await answer).toBe('rejected: buyer timed out');
      expect(await holdEnd(w, events, payment)).toEqual({
        ...REFUNDED,
        end: expect.objectContaining({ type: 'refunded', reason: 'request_aborted', status: 200 }),
      });
      expect(await w.buyer.balances()).toEqual(before);
    },
  );

  it('over the embedded fetch of a URL: a retry still waited for when the handler answers 200 is settled and the buyer pays 7,000 msat', async () => {
    const w = makeWorld();
    const { app, events, open, started } = gatedHoldApp(w);
    const send = await transport('url', app);
    const before = (await w.buyer.balances()).localMsat;
    const { payment, answer } = await payAndRetry(w, app, send, new AbortController().signal);
    await started;
    open();

    expect(await answer).toBe(200);
    expect(await holdEnd(w, events, payment)).toEqual({
      payment: 'succeeded',
      failure: undefined,
      end: expect.objectContaining({ type: 'settled', status: 200 }),
    });
    expect(before - (await w.buyer.balances()).localMsat).toBe(7_000);
  });
});
