import { afterEach, describe, expect, it } from 'vitest';
import {
  decodes,
  HASH,
  HASH_B64URL,
  INVOICE,
  invoice,
  payment,
  startHostileLnd,
  streamLine,
  type HostileLnd,
  type Script,
} from './hostile-lnd.js';

const SEND = 'POST /v2/router/send';
const DECODE = `GET /v1/payreq/${INVOICE}`;
const TRACK = `GET /v2/router/track/${HASH_B64URL}?no_inflight_updates=true`;
const ADVICE =
  "the request was abandoned. Is lnd overloaded or stuck? (limits.callTimeoutMs and the call's timeout set how long to wait)";

/** LND that decodes invoices and takes every other request without ever answering it (REST up, RPC stuck). */
const mute: Script = (req, res) => void decodes(req, res);

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** What `run` resolved or threw, and after how many ms of wall time. */
async function timed<T>(run: () => Promise<T>): Promise<{ value: T | unknown; ms: number }> {
  const t0 = performance.now();
  const value = await run().catch((err: unknown) => err);
  return { value, ms: performance.now() - t0 };
}

describe('every request to LND has a time limit', () => {
  it('lookupPayment on an LND that never answers throws LndError timeout within its 1 s callTimeoutMs', async () => {
    peer = await startHostileLnd(mute);
    const node = peer.node({ limits: { callTimeoutMs: 1_000 } });

    const { value, ms } = await timed(() => node.lookupPayment(HASH));

    expect(value).toMatchObject({
      code: 'timeout',
      message: `LND ${peer.restUrl} GET /v2/router/track/${HASH_B64URL}: LND sent nothing for 1000 ms; ${ADVICE}`,
    });
    expect(ms).toBeLessThan(5_000);
  });

  it('lookupInvoice (a call) on an LND that never answers throws LndError timeout within its 1 s callTimeoutMs', async () => {
    peer = await startHostileLnd(mute);
    const node = peer.node({ limits: { callTimeoutMs: 1_000 } });

    const { value, ms } = await timed(() => node.lookupInvoice(HASH));

    expect(value).toMatchObject({
      code: 'timeout',
      message: `LND ${peer.restUrl} GET /v1/invoice/${HASH}: LND gave no final answer within 1000 ms; ${ADVICE}`,
    });
    expect(ms).toBeLessThan(5_000);
  });

  it('waitForPayment(hash, 1000) on a track LND never answers throws LndError timeout within its 1 s', async () => {
    peer = await startHostileLnd(mute);

    const { value, ms } = await timed(() => peer!.node().waitForPayment(HASH, 1_000));

    expect(value).toMatchObject({
      code: 'timeout',
      message: expect.stringMatching(new RegExp(`^payment ${HASH} was not final by the deadline`)),
    });
    expect(ms).toBeLessThan(5_000);
  });
});

describe('pay() ends by timeoutMs + reconnectTimeoutMs with the payment in flight, never sending it again', () => {
  const inFlight = {
    paymentHash: HASH,
    status: 'in_flight',
    amountMsat: 123_456,
    feeMsat: 0,
    hops: 0,
    attempts: 0,
  };

  it('when LND never answers the send: in_flight within 1 s + 1 s, after one send and no track', async () => {
    peer = await startHostileLnd(mute);
    const node = peer.node({ reconnectTimeoutMs: 1_000 });

    const { value, ms } = await timed(() => node.pay(INVOICE, { timeoutMs: 1_000 }));

    expect(value).toMatchObject(inFlight);
    expect(ms).toBeLessThan(6_000);
    expect(peer.requests).toEqual([DECODE, SEND]);
  });

  it('when its HTLC is held (one IN_FLIGHT update, then silence): in_flight within 1 s + 1 s', async () => {
    peer = await startHostileLnd((req, res) => {
      if (!decodes(req, res)) streamLine(res, payment('IN_FLIGHT'));
    });
    const node = peer.node({ reconnectTimeoutMs: 1_000 });

    const { value, ms } = await timed(() => node.pay(INVOICE, { timeoutMs: 1_000 }));

    expect(value).toMatchObject(inFlight);
    expect(ms).toBeLessThan(6_000);
    expect(peer.requests).toEqual([DECODE, SEND]);
  });

  it('when the send’s first update does not come within callTimeoutMs (0.5 s): tracked by hash, in_flight by the deadline', async () => {
    peer = await startHostileLnd(mute);
    const node = peer.node({ reconnectTimeoutMs: 1_000, limits: { callTimeoutMs: 500 } });

    const { value, ms } = await timed(() => node.pay(INVOICE, { timeoutMs: 1_000 }));

    expect(value).toMatchObject(inFlight);
    expect(ms).toBeLessThan(6_000);
    expect(peer.requests).toEqual([DECODE, SEND, TRACK]);
  });
});

describe('an invoice feed', () => {
  it('silent past feedIdleMs (0.5 s) is reconnected, and the reconnected feed delivers the invoice', async () => {
    let subscribes = 0;
    peer = await startHostileLnd((req, res) => {
      // The first connection is taken and never served; the second one works.
      if (req.path.startsWith('/v1/invoices/subscribe') && ++subscribes === 2) streamLine(res, invoice());
    });
    const node = peer.node({ limits: { feedIdleMs: 500 } });

    const { value, ms } = await timed(
      () => new Promise<string>((resolve) => node.onInvoice((inv) => resolve(inv.paymentHash))),
    );

    expect(value).toBe(HASH);
    expect(ms).toBeLessThan(5_000);
    const feed = 'GET /v1/invoices/subscribe?add_index=0&settle_index=0';
    expect(peer.requests).toEqual([feed, feed]);
  });
});
