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

// LND 0.20's texts: routerrpc's shutdown error, ValidatePayReqExpiry's refusal, the control tower's NotFound.
const SHUTTING_DOWN = 'routerrpc server shutting down';
const EXPIRED = 'invoice expired. Valid until 2026-11-21 05:21:34 +0000 UTC';
const NOT_INITIATED = "payment isn't initiated";

const SEND = 'POST /v2/router/send';
const DECODE = `GET /v1/payreq/${INVOICE}`;
const TRACK = `GET /v2/router/track/${HASH_B64URL}?no_inflight_updates=true`;

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/**
 * LND answers the sends in turn from `sends` (a stream error's gRPC code and text) and tracking
 * the hash with `tracked`: the first send's payment, when LND registered it before failing.
 */
function lnd(sends: Array<[number, string]>, tracked: 'SUCCEEDED' | 'none'): Script {
  let n = 0;
  return (req, res) => {
    if (decodes(req, res)) return;
    if (req.path === '/v2/router/send') {
      const [code, message] = sends[n++]!;
      return streamError(res, code, message);
    }
    if (tracked === 'none') return streamError(res, 5, NOT_INITIATED);
    streamLine(res, payment(tracked));
    res.end();
  };
}

describe('a refused repeat of a send that may have reached LND', () => {
  it('is resolved by hash first: after "routerrpc server shutting down" and then "invoice expired", pay() answers the first send’s success (fee 1000 msat) from one track', async () => {
    peer = await startHostileLnd(
      lnd(
        [
          [2, SHUTTING_DOWN],
          [2, EXPIRED],
        ],
        'SUCCEEDED',
      ),
    );

    const p = await peer.node().pay(INVOICE);

    expect(p).toMatchObject({
      paymentHash: HASH,
      status: 'succeeded',
      preimage: '11'.repeat(32),
      amountMsat: 123_456,
      feeMsat: 1_000,
    });
    expect(p.failure).toBeUndefined();
    expect(peer.requests).toEqual([DECODE, SEND, SEND, TRACK]);
  });

  it('stands as invoice_expired when tracking the hash finds no payment ("payment isn\'t initiated")', async () => {
    peer = await startHostileLnd(
      lnd(
        [
          [2, SHUTTING_DOWN],
          [2, EXPIRED],
        ],
        'none',
      ),
    );

    const p = await peer.node().pay(INVOICE);

    expect(p).toMatchObject({
      paymentHash: HASH,
      status: 'failed',
      failure: { reason: 'invoice_expired', message: `LND: ${EXPIRED}` },
    });
    expect(peer.requests).toEqual([DECODE, SEND, SEND, TRACK]);
  });

  it('is not needed for a first send: its "invoice expired" is the outcome, with no track', async () => {
    peer = await startHostileLnd(lnd([[2, EXPIRED]], 'SUCCEEDED'));

    const p = await peer.node().pay(INVOICE);

    expect(p).toMatchObject({ status: 'failed', failure: { reason: 'invoice_expired' } });
    expect(peer.requests).toEqual([DECODE, SEND]);
  });
});
