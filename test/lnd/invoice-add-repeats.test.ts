import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  answer,
  callError,
  HASH,
  INVOICE,
  invoice,
  startHostileLnd,
  type HostileLnd,
} from './hostile-lnd.js';

// LND 0.20's texts: rpcperms' ErrWaitingToStart, grpc's ErrConnClosing as the REST proxy passes it on,
// invoices' ErrDuplicateInvoice.
const WAITING = 'waiting to start, RPC services not available';
const CLOSING = 'rpc error: code = Unavailable desc = transport is closing';
const DUPLICATE = 'invoice with payment hash already exists';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

type Answer = (res: ServerResponse) => void;
const waiting: Answer = (res) => callError(res, 2, WAITING);
const closing: Answer = (res) => callError(res, 14, CLOSING);
const dropped: Answer = (res) => void res.socket?.destroy();
const duplicate: Answer = (res) => callError(res, 2, DUPLICATE);
const added: Answer = (res) =>
  answer(res, 200, {
    r_hash: Buffer.from(HASH, 'hex').toString('base64'),
    payment_request: INVOICE,
    add_index: '2',
  });

/** LND answering the invoice adds (POST /v1/invoices, /v2/invoices/hodl) in turn from `adds`; lookups find `stored`. */
function lnd(adds: Answer[], stored = invoice()) {
  let n = 0;
  return startHostileLnd((req, res) => {
    if (req.method === 'POST' && req.path.includes('/invoices')) return (adds[n++] ?? added)(res);
    if (req.path === `/v1/invoice/${HASH}`) return answer(res, 200, stored);
  });
}

const addsOf = (p: HostileLnd) => p.requests.filter((r) => r.startsWith('POST ')).length;

describe('createInvoice (LND picks the hash: a repeat makes a second invoice)', () => {
  it('is sent again after LND’s "waiting to start", not after "transport is closing", which can come once LND stored it: not_ready after 2 adds', async () => {
    peer = await lnd([waiting, closing]);

    const err = await peer
      .node()
      .createInvoice({ amountMsat: 123_456 })
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'not_ready',
      message:
        `LND ${peer.restUrl} POST /v1/invoices: LND is not ready (${CLOSING}); a write may have been ` +
        `carried out before the connection closed: look it up before repeating it.`,
    });
    expect(addsOf(peer)).toBe(2);
  });
});

describe('createHoldInvoice (our hash: LND cannot store it twice)', () => {
  const req = { amountMsat: 123_456, memo: 'l402-lab fixture', paymentHash: HASH };

  it.each<[string, Answer]>([
    ['a 503 "transport is closing"', closing],
    ['a dropped connection', dropped],
  ])(
    'after %s, a repeat LND refuses as "already exists" is the first add: the stored hold invoice (123,456 msat) is returned',
    async (_, first) => {
      peer = await lnd([first, duplicate]);

      const inv = await peer.node().createHoldInvoice(req);

      expect(inv).toMatchObject({
        paymentHash: HASH,
        paymentRequest: INVOICE,
        amountMsat: 123_456,
        memo: 'l402-lab fixture',
        state: 'open',
        isHold: true,
      });
      expect(addsOf(peer)).toBe(2);
    },
  );

  it('a first add refused as "already exists" is someone else’s invoice: bad_request, one add, no lookup', async () => {
    peer = await lnd([duplicate]);

    const err = await peer
      .node()
      .createHoldInvoice(req)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_request',
      message: `createHoldInvoice: LND already has an invoice for payment hash ${HASH}; a hold invoice needs a payment hash of its own.`,
    });
    expect(peer.requests).toEqual(['POST /v2/invoices/hodl']);
  });

  it('a repeat refused as "already exists" whose stored invoice asks 1,000 msat, not 123,456: bad_request naming it', async () => {
    peer = await lnd([closing, duplicate], invoice({ value_msat: '1000' }));

    const err = await peer
      .node()
      .createHoldInvoice(req)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_request',
      message:
        `createHoldInvoice: LND already has an invoice for payment hash ${HASH}, not this one ` +
        `(a hold invoice of 1000 msat, memo "l402-lab fixture"); a hold invoice needs a payment hash of its own.`,
    });
    expect(addsOf(peer)).toBe(2);
  });
});
