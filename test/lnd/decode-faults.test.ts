import { afterEach, describe, expect, it } from 'vitest';
import { answer, callError, INVOICE, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe("GET /v1/payreq failing for a reason that is not the invoice's", () => {
  it.each([
    ['a proxy’s 502 page', 502, '<html><body>502 Bad Gateway</body></html>'],
    ['500 context deadline exceeded', 500, { code: 2, message: 'context deadline exceeded' }],
    ['504 DeadlineExceeded', 504, { code: 4, message: 'context deadline exceeded' }],
    ['500 database is locked', 500, { code: 2, message: 'database is locked' }],
  ])(
    '(%s) makes pay() throw LndError lnd_error, not fail the payment as invalid_invoice',
    async (_name, status, body) => {
      peer = await startHostileLnd((_req, res) => {
        if (typeof body === 'string') {
          res.writeHead(status, { 'content-type': 'text/html' });
          res.end(body);
        } else answer(res, status, { ...body, details: [] });
      });
      const text = typeof body === 'string' ? body : body.message;

      const err = await peer
        .node()
        .pay(INVOICE)
        .catch((e: unknown) => e);

      expect(err).toMatchObject({
        code: 'lnd_error',
        status,
        message: `LND ${peer.restUrl} GET /v1/payreq/${INVOICE}: ${text}`,
      });
      expect(peer.requests).toEqual([`GET /v1/payreq/${INVOICE}`]);
    },
  );
});

describe("LND's decode refusals (zpay32) are the payment's outcome", () => {
  it.each([
    ['checksum failed. Expected qqqqqq, got zzzzzz.', 'invalid_invoice'],
    ['invalid character not part of charset: 98', 'invalid_invoice'],
    ['string not all lowercase or all uppercase', 'invalid_invoice'],
    ['hrp too short', 'invalid_invoice'],
    ['short invoice', 'invalid_invoice'],
    ['data too short: 3', 'invalid_invoice'],
    ['neither description nor description hash set', 'invalid_invoice'],
    ['invalid invoice signature', 'invalid_invoice'],
    ["invoice not for current active network 'regtest'", 'wrong_network'],
  ])('"%s" fails the payment as %s without sending it', async (message, reason) => {
    peer = await startHostileLnd((_req, res) => callError(res, 2, message));

    const p = await peer.node().pay(INVOICE);

    expect(p).toMatchObject({
      status: 'failed',
      paymentHash: '',
      failure: { reason, message: `LND could not decode the invoice: ${message}` },
    });
    expect(peer.requests).toEqual([`GET /v1/payreq/${INVOICE}`]);
  });
});

describe('hold-invoice writes', () => {
  const PREIMAGE = '22'.repeat(32);

  it('a settle answered 504 context deadline exceeded throws lnd_error, not "LND refused" bad_request', async () => {
    peer = await startHostileLnd((_req, res) => callError(res, 4, 'context deadline exceeded'));

    const err = await peer
      .node()
      .settleInvoice(PREIMAGE)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'lnd_error',
      message: `LND ${peer.restUrl} POST /v2/invoices/settle: context deadline exceeded`,
    });
  });

  it('a settle refused "invoice still open" is bad_request "LND refused"', async () => {
    peer = await startHostileLnd((_req, res) => callError(res, 2, 'invoice still open'));

    const err = await peer
      .node()
      .settleInvoice(PREIMAGE)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_request',
      message: 'settleInvoice: LND refused: invoice still open',
    });
  });
});
