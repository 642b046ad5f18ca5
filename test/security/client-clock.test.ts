/**
 * The L402 client's time limits (`requestTimeoutMs`: a request's answer, then
 * its body) run on the client's clock. In the embedded world sellers answer on
 * the market's virtual clock, so a seeded run must time them out on that clock:
 * before, every send raced a wall-clock timer and every body read had one, so a
 * seller slower than the limit in market time was never timed out, and one
 * answering at once in market time could be timed out by a slow or paused
 * machine. On sockets the client is given `systemClock`, whose timers are real.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseResult } from '../../agents/l402/index.js';
import { systemClock } from '../../infra/time/clock.js';
import { drive, makeMarket, type Market, type TestSeller } from '../buyer/market.js';

/** A wait of wall time that moves no market time: what a slow or paused machine adds. */
const wallWait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The purchase's result and how much market time it took. */
async function purchaseOn(m: Market, url: string): Promise<{ r: PurchaseResult; tookMs: number }> {
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const startMs = m.clock.now();
  return drive(
    m.clock,
    client.purchase(url).then((r) => ({ r, tookMs: m.clock.now() - startMs })),
  );
}

/** A body whose bytes come `ms` of market time after its headers. */
function lateBody(m: Market, ms: number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      await m.clock.sleep(ms);
      controller.enqueue(new TextEncoder().encode('{"late":true}'));
      controller.close();
    },
  });
}

/** A front on a real seller: its paid (200) answers carry `body` instead of the handler's. */
function deliverWith(m: Market, s: TestSeller, body: () => ReadableStream<Uint8Array>): void {
  const front = new Hono();
  front.all('*', async (c) => {
    const res = await s.app.fetch(c.req.raw);
    if (res.status !== 200) return res;
    await res.body?.cancel();
    return new Response(body(), { status: 200 });
  });
  m.mount(s.host, front);
}

describe('client time limits on market time (embedded world, virtual clock)', () => {
  it('a seller answering after 40 s of market time is a seller_error at exactly 30 s of it (DEFAULT_REQUEST_TIMEOUT_MS), nothing paid', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'slow', priceMsat: 10_000, quoteDelayMs: 40_000 });

    const { r, tookMs } = await purchaseOn(m, s.url);

    expect(r).toMatchObject({
      outcome: 'seller_error',
      reason: 'request failed: no answer within 30000 ms',
      paidMsat: 0,
    });
    expect(tookMs).toBe(30_000);
    expect(s.served).toBe(0);
  });

  it('a 200 without a challenge whose body comes 40 s of market time after it is a seller_error at exactly 30 s', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'free', priceMsat: 10_000 });
    const front = new Hono();
    front.all('*', () => new Response(lateBody(m, 40_000), { status: 200 }));
    m.mount(s.host, front);

    const { r, tookMs } = await purchaseOn(m, s.url);

    expect(r).toMatchObject({
      outcome: 'seller_error',
      reason: 'HTTP 200 without a payment challenge; its body did not arrive within 30000 ms',
      paidMsat: 0,
    });
    expect(tookMs).toBe(30_000);
  });

  it('a paid delivery whose body comes 40 s of market time after its headers is not_delivered at exactly 30 s', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'late-body', priceMsat: 10_000 });
    deliverWith(m, s, () => lateBody(m, 40_000));

    const { r, tookMs } = await purchaseOn(m, s.url);

    expect(r).toMatchObject({
      outcome: 'not_delivered',
      reason: 'the delivered body did not arrive within 30000 ms',
      status: 200,
      paidMsat: 10_000,
    });
    expect(tookMs).toBe(30_000);
  });

  it('a seller taking 300 ms of wall time but no market time for each answer is not timed out with a 100 ms limit: the purchase succeeds', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'stalled', priceMsat: 10_000 });
    const front = new Hono();
    front.all('*', async (c) => {
      await wallWait(300);
      return s.app.fetch(c.req.raw);
    });
    m.mount(s.host, front);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, requestTimeoutMs: 100 });
    const startMs = m.clock.now();

    // The simnet has no hop latency: the whole purchase takes no market time, so the clock is not driven.
    const r = await client.purchase(s.url);

    expect(r).toMatchObject({ outcome: 'success', status: 200, paidMsat: 10_000 });
    expect(m.clock.now() - startMs).toBe(0);
    expect(s.served).toBe(1);
  });
});

describe('client time limits on sockets (systemClock)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  /** A client on the wall clock for a local server answering with `handler`, with a 200 ms limit. */
  async function onSocket(handler: Parameters<typeof createServer>[1]) {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const m = makeMarket();
    const client = createL402Client({ node: m.buyer, fetch, clock: systemClock, requestTimeoutMs: 200 });
    return client.purchase(`http://127.0.0.1:${port}/v1/data`);
  }

  it('a server that accepts the connection and never answers is a seller_error (its 200 ms limit is a real timer)', async () => {
    const r = await onSocket(() => {
      // Never answers.
    });

    expect(r).toMatchObject({
      outcome: 'seller_error',
      reason: 'request failed: no answer within 200 ms',
      paidMsat: 0,
    });
  });

  it('a 200 whose body never ends is a seller_error once its 200 ms limit passes', async () => {
    const r = await onSocket((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
    });

    expect(r).toMatchObject({
      outcome: 'seller_error',
      reason: 'HTTP 200 without a payment challenge; its body did not arrive within 200 ms',
      paidMsat: 0,
    });
  });
});
