import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, DEFAULT_REQUEST_TIMEOUT_MS } from '../../agents/l402/index.js';
import { createMinter, formatChallenge, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { drive, makeMarket, type Market } from '../buyer/market.js';

/** A body that sends one byte and then never another, nor ends. */
function drip(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{'));
    },
  });
}

/** A seller whose 402 carries a real challenge (an invoice inside the expiry margin) and a dripped body. */
function dripSeller(m: Market, host: string): string {
  const node = m.addNode(host);
  const keyRng = m.rng.fork(`keys/${host}`);
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keyRng.bytes(n) });
  const app = new Hono();
  app.get('/v1/data', async () => {
    const inv = await node.createInvoice({ amountMsat: 5_000, expirySec: 20 });
    const minted = await minter.mint({ paymentHash: inv.paymentHash, caveats: [] });
    return new Response(drip(), {
      status: 402,
      headers: {
        'WWW-Authenticate': formatChallenge({ macaroon: minted.token, invoice: inv.paymentRequest }),
      },
    });
  });
  m.mount(host, app);
  return `http://${host}/v1/data`;
}

describe('every client request has a timeout', () => {
  it('ends a probe whose seller never answers as seller_error', async () => {
    const m = makeMarket();
    const app = new Hono();
    app.get('/v1/data', () => new Promise<Response>(() => {}));
    m.mount('mute.test', app);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, requestTimeoutMs: 20 });

    const r = await drive(m.clock, client.purchase('http://mute.test/v1/data'));

    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(r).toMatchObject({
      outcome: 'seller_error',
      reason: 'request failed: no answer within 20 ms',
      paidMsat: 0,
    });
  });

  it('stops reading a dripped 402 body and goes on with the challenge alone', async () => {
    const m = makeMarket();
    const url = dripSeller(m, 'drip.test');
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, requestTimeoutMs: 20 });

    const r = await drive(m.clock, client.purchase(url));

    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'expired', paidMsat: 0 });
  });
  it("ends a request as seller_error when the caller's own signal aborts it, before the timeout", async () => {
    const m = makeMarket();
    // A transport that answers only when aborted: whichever signal the request carries decides.
    const fetch: typeof globalThis.fetch = (input, init) =>
      new Promise<Response>((_, reject) => {
        const signal = init?.signal ?? (input as Request).signal;
        if (signal.aborted) reject(new Error('aborted'));
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const client = createL402Client({ node: m.buyer, fetch, clock: m.clock, requestTimeoutMs: 60_000 });
    const caller = new AbortController();

    const pending = client.purchase('http://mute.test/v1/data', { signal: caller.signal });
    caller.abort();

    expect(await pending).toMatchObject({
      outcome: 'seller_error',
      reason: 'request failed: aborted',
      paidMsat: 0,
    });
  });
});
