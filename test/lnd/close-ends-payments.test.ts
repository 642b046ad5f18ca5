import { afterEach, describe, expect, it } from 'vitest';
import {
  decodes,
  HASH,
  INVOICE,
  pause,
  payment,
  startHostileLnd,
  streamLine,
  type HostileLnd,
} from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** LND holding the HTLC: every send and track answers IN_FLIGHT and then nothing; other calls are never answered. */
async function holdingLnd(): Promise<HostileLnd> {
  return startHostileLnd((req, res) => {
    if (decodes(req, res)) return;
    if (req.path.startsWith('/v2/router/')) streamLine(res, payment('IN_FLIGHT'));
  });
}

/** What `p` settled to within `ms` of wall time (its value, or what it threw), else 'still pending'. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | unknown> {
  return Promise.race([p.catch((err: unknown) => err), pause(ms).then(() => 'still pending')]);
}

const closedWhile = (url: string, what: string) =>
  `${url}: this LndNode was closed while ${what}; the payment's state is unknown (it may still complete): ` +
  `look it up by hash on a new LndNode.`;

describe('LndNode.close() ends the payment requests in progress', () => {
  it('a pay whose HTLC is held (timeoutMs 60 s): close() resolves within 2 s and pay answers in_flight, one send', async () => {
    peer = await holdingLnd();
    const node = peer.node();
    const paying = node.pay(INVOICE, { timeoutMs: 60_000 });
    await pause(300);

    const closed = await within(
      node.close().then(() => 'closed'),
      2_000,
    );

    expect(closed).toBe('closed');
    expect(await within(paying, 500)).toMatchObject({
      paymentHash: HASH,
      status: 'in_flight',
      amountMsat: 123_456,
      feeMsat: 0,
    });
    expect(peer.requests).toEqual([`GET /v1/payreq/${INVOICE}`, 'POST /v2/router/send']);
  });

  it('waitForPayment (120 s) and lookupPayment on an LND that does not answer it: both throw unreachable "closed" within 2 s of close()', async () => {
    peer = await startHostileLnd((req, res) => {
      // Tracking answers IN_FLIGHT and stays open; the lookup (no_inflight_updates=false) is never answered.
      if (req.path.endsWith('no_inflight_updates=true')) streamLine(res, payment('IN_FLIGHT'));
    });
    const node = peer.node();
    // Caught now: they settle while close() is awaited.
    const waiting = node.waitForPayment(HASH, 120_000).catch((err: unknown) => err);
    const looking = node.lookupPayment(HASH).catch((err: unknown) => err);
    await pause(300);

    const closed = await within(
      node.close().then(() => 'closed'),
      2_000,
    );

    expect(closed).toBe('closed');
    expect(await within(waiting, 500)).toMatchObject({
      code: 'unreachable',
      message: closedWhile(peer.restUrl, `following payment ${HASH}`),
    });
    expect(await within(looking, 500)).toMatchObject({
      code: 'unreachable',
      message: closedWhile(peer.restUrl, `looking up payment ${HASH}`),
    });
  });

  it('a call it does not end (an invoice add LND never answers, callTimeoutMs 30 s): close() returns after waiting 5 s for it, not 30 s', async () => {
    peer = await startHostileLnd(() => undefined);
    const node = peer.node();
    // Left to end when the peer closes.
    void node.createInvoice({ amountMsat: 1_000 }).catch(() => undefined);
    await pause(300);

    const closed = await within(
      node.close().then(() => 'closed'),
      7_000,
    );

    expect(closed).toBe('closed');
    expect(peer.requests).toEqual(['POST /v1/invoices']);
  });

  it('a pay asked of a closed node throws unreachable "nothing was sent" and sends LND nothing', async () => {
    peer = await holdingLnd();
    const node = peer.node();
    await node.close();

    const err = await node.pay(INVOICE).catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'unreachable',
      message: `${peer.restUrl}: this LndNode was closed while starting a payment; nothing was sent: pay on a new LndNode.`,
    });
    expect(peer.requests).toEqual([]);
  });
});
