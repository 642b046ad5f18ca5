import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, DEFAULT_MAX_BODY_BYTES } from '../../agents/l402/index.js';
import { drive, makeMarket, type Market, type TestSeller } from '../buyer/market.js';

/** What the hostile body did: how many bytes it handed out, whether the reader cancelled it. */
interface Tap {
  sent: number;
  cancelled: boolean;
}

/** A never-ending body of 64 KiB chunks. */
function endless(tap: Tap): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  return new ReadableStream({
    pull(controller) {
      tap.sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      tap.cancelled = true;
    },
  });
}

/** One byte, then nothing, never the end. */
function drip(tap: Tap): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      tap.sent += 1;
      controller.enqueue(new Uint8Array([0x7b]));
    },
    cancel() {
      tap.cancelled = true;
    },
  });
}

/** A front on a real seller: its paid (2xx) answers carry `body`, with `status` (200 unless given), instead of the handler's. */
function deliverWith(m: Market, s: TestSeller, body: () => ReadableStream<Uint8Array>, status = 200): void {
  const front = new Hono();
  front.all('*', async (c) => {
    const res = await s.app.fetch(c.req.raw);
    if (res.status !== 200) return res;
    await res.body?.cancel();
    return new Response(body(), { status, headers: { 'content-type': 'application/json' } });
  });
  m.mount(s.host, front);
}

describe('a delivered (2xx) body is read within a size and a time limit', () => {
  it('a never-ending 2xx body after payment ends as not_delivered once 1 MiB is read, and is cancelled', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'flood', priceMsat: 10_000 });
    const tap: Tap = { sent: 0, cancelled: false };
    deliverWith(m, s, () => endless(tap));
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, maxBodyBytes: 1 << 20 });

    const r = await client.purchase(s.url);

    expect(DEFAULT_MAX_BODY_BYTES).toBe(16 * 1024 * 1024);
    expect(r).toMatchObject({
      outcome: 'not_delivered',
      reason: 'the delivered body is over 1048576 bytes',
      status: 200,
      paidMsat: 10_000,
    });
    expect(tap.cancelled).toBe(true);
    // 16 chunks of 64 KiB fill the limit and the 17th crosses it; the stream had queued an 18th. No more.
    expect(tap.sent).toBe(18 * 64 * 1024);
  });

  it('a dripped 2xx body ends as not_delivered after requestTimeoutMs, and is cancelled', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'dripper', priceMsat: 10_000 });
    const tap: Tap = { sent: 0, cancelled: false };
    deliverWith(m, s, () => drip(tap));
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, requestTimeoutMs: 20 });

    const r = await drive(m.clock, client.purchase(s.url));

    expect(r).toMatchObject({
      outcome: 'not_delivered',
      reason: 'the delivered body did not arrive within 20 ms',
      paidMsat: 10_000,
    });
    expect(tap).toEqual({ sent: 1, cancelled: true });
  });

  it('a held token answered with an oversized body is a seller_error with nothing paid', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'flood', priceMsat: 10_000, maxCalls: 5 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, maxBodyBytes: 1 << 20 });
    expect((await client.purchase(s.url)).outcome).toBe('success');
    const tap: Tap = { sent: 0, cancelled: false };
    deliverWith(m, s, () => endless(tap));

    const r = await client.purchase(s.url);

    expect(r).toMatchObject({ outcome: 'seller_error', tokenReused: true, paidMsat: 0 });
    expect(tap.cancelled).toBe(true);
  });

  it('a body within the limit is handed over whole and readable', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'honest', priceMsat: 10_000 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, maxBodyBytes: 1 << 20 });

    const res = await client.fetch(s.url);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ seller: 'honest', data: 42, method: 'GET', body: '' });
  });
});

/** A front in place of a real seller: every request gets a 200 carrying `body`, no challenge. */
function openWith(m: Market, s: TestSeller, body: () => ReadableStream<Uint8Array>): void {
  const front = new Hono();
  front.all('*', () => new Response(body(), { status: 200 }));
  m.mount(s.host, front);
}

describe('an answer handed back without a delivery is read within the same limits', () => {
  it('a never-ending 200 without a challenge ends as seller_error once 1 MiB is read, nothing paid, and is cancelled', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'free-flood', priceMsat: 10_000 });
    const tap: Tap = { sent: 0, cancelled: false };
    openWith(m, s, () => endless(tap));
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, maxBodyBytes: 1 << 20 });

    const r = await client.purchase(s.url);

    expect(r).toMatchObject({
      outcome: 'seller_error',
      reason: 'HTTP 200 without a payment challenge; its body is over 1048576 bytes',
      status: 200,
      paidMsat: 0,
    });
    expect(r.response).toBeUndefined();
    expect(tap.cancelled).toBe(true);
  });

  it('a 500 after payment whose body drips ends within requestTimeoutMs with the answer dropped, and is cancelled', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'drip-500', priceMsat: 10_000 });
    const tap: Tap = { sent: 0, cancelled: false };
    deliverWith(m, s, () => drip(tap), 500);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, requestTimeoutMs: 20 });

    const r = await drive(m.clock, client.purchase(s.url));

    expect(r).toMatchObject({
      outcome: 'not_delivered',
      reason: 'HTTP 500; its body did not arrive within 20 ms',
      status: 500,
      paidMsat: 10_000,
    });
    expect(r.response).toBeUndefined();
    expect(tap).toEqual({ sent: 1, cancelled: true });
  });

  it("a seller's error answer within the limits is handed back readable", async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'plain-500', priceMsat: 10_000 });
    deliverWith(m, s, () => new Response('{"error":"internal"}').body!, 500);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });

    const r = await client.purchase(s.url);

    expect(r).toMatchObject({ outcome: 'not_delivered', reason: 'HTTP 500', status: 500, paidMsat: 10_000 });
    expect(await r.response!.json()).toEqual({ error: 'internal' });
  });
});
