import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodes,
  HASH,
  HASH_B64URL,
  INVOICE,
  payment,
  startHostileLnd,
  streamError,
  streamLine,
  type HostileLnd,
  type Script,
} from './hostile-lnd.js';

const SEND = 'POST /v2/router/send';
const DECODE = `GET /v1/payreq/${INVOICE}`;
const TRACK = `GET /v2/router/track/${HASH_B64URL}?no_inflight_updates=true`;
/** An error LND could send on a payment's stream once it is under way; "invalid" reads like a refusal. */
const MID_STREAM = 'invalid payment state: attempt 3 not found in db';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** The send stream: the payment IN_FLIGHT, then 100 ms later `then`. */
function inFlightThen(res: ServerResponse, then: 'error line' | 'drop'): void {
  streamLine(res, payment('IN_FLIGHT'));
  setTimeout(() => {
    if (then === 'drop') return void res.socket?.destroy();
    res.end(`${JSON.stringify({ error: { code: 13, message: MID_STREAM, details: [] } })}\n`);
  }, 100);
}

/** LND whose first send goes `then` after its IN_FLIGHT update, a later send fails at once, and tracking is `track`. */
function lnd(then: 'error line' | 'drop', track: (res: ServerResponse) => void): Script {
  let sends = 0;
  return (req, res) => {
    if (decodes(req, res)) return;
    if (req.path === '/v2/router/send') {
      if (++sends === 1) return inFlightThen(res, then);
      streamLine(res, payment('FAILED'));
      return void res.end();
    }
    track(res);
  };
}

const trackSucceeded = (res: ServerResponse) => {
  streamLine(res, payment('SUCCEEDED'));
  res.end();
};
const trackHeld = (res: ServerResponse) => streamLine(res, payment('IN_FLIGHT'));
const trackNone = (res: ServerResponse) => streamError(res, 5, "payment isn't initiated");

const inFlight = {
  paymentHash: HASH,
  status: 'in_flight',
  amountMsat: 123_456,
  feeMsat: 0,
  hops: 0,
  attempts: 0,
};

describe('an error on the send stream after LND sent an update of the payment is not its outcome', () => {
  it('an {"error"} line reading "invalid payment state…" after IN_FLIGHT: resolved by hash, the success LND tracks (fee 1000 msat)', async () => {
    peer = await startHostileLnd(lnd('error line', trackSucceeded));

    const p = await peer.node().pay(INVOICE);

    expect(p).toMatchObject({ paymentHash: HASH, status: 'succeeded', amountMsat: 123_456, feeMsat: 1_000 });
    expect(p.failure).toBeUndefined();
    expect(peer.requests).toEqual([DECODE, SEND, TRACK]);
  });

  it('the same line while LND still holds the HTLC: in_flight at the 1 s + 1 s deadline, never failed', async () => {
    peer = await startHostileLnd(lnd('error line', trackHeld));

    const p = await peer.node({ reconnectTimeoutMs: 1_000 }).pay(INVOICE, { timeoutMs: 1_000 });

    expect(p).toMatchObject(inFlight);
    expect(peer.requests).toEqual([DECODE, SEND, TRACK]);
  });

  it('a dropped connection after IN_FLIGHT, then a track answered "payment isn\'t initiated": in_flight, the payment never sent again', async () => {
    peer = await startHostileLnd(lnd('drop', trackNone));

    const p = await peer.node().pay(INVOICE);

    expect(p).toMatchObject(inFlight);
    expect(peer.requests).toEqual([DECODE, SEND, TRACK]);
  });
});

describe('an invoice with surrounding white space', () => {
  it('is sent to LND as it was decoded: INVOICE + "\\n" decodes and sends INVOICE', async () => {
    let sent: unknown;
    peer = await startHostileLnd((req, res) => {
      if (decodes(req, res)) return;
      sent = (JSON.parse(req.body) as { payment_request: unknown }).payment_request;
      streamLine(res, payment('SUCCEEDED'));
      res.end();
    });

    const p = await peer.node().pay(`${INVOICE}\n`);

    expect(p.status).toBe('succeeded');
    expect(sent).toBe(INVOICE);
    expect(peer.requests).toEqual([DECODE, SEND]);
  });
});
