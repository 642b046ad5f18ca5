import { afterEach, describe, expect, it } from 'vitest';
import type { CreateInvoiceRequest } from '../../infra/lightning/node.js';
import { makeNet } from '../simnet/helpers.js';
import {
  answer,
  callError,
  HASH,
  INVOICE,
  invoice,
  startHostileLnd,
  type HostileLnd,
} from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** LND 0.20 refusing what it refuses (its own texts), else adding the invoice; `bodies` gets each add's body; lookups find the fixture. */
function lnd(bodies: unknown[] = []) {
  return startHostileLnd((req, res) => {
    if (req.method === 'POST' && req.path.includes('/invoices')) {
      const body = JSON.parse(req.body) as { memo: string; expiry: string };
      bodies.push(body);
      if (Number(body.expiry) > 31_536_000)
        return callError(
          res,
          2,
          `expiry of ${body.expiry} seconds greater than max expiry of 3.1536e+07 seconds`,
        );
      const memoBytes = Buffer.byteLength(body.memo);
      if (memoBytes > 1024) return callError(res, 2, 'memo too large');
      if (memoBytes > 639)
        return callError(
          res,
          2,
          `data length too big to fit within 10 bits: ${Math.ceil((memoBytes * 8) / 5)}`,
        );
      return answer(res, 200, {
        r_hash: Buffer.from(HASH, 'hex').toString('base64'),
        payment_request: INVOICE,
        add_index: '2',
      });
    }
    if (req.path === `/v1/invoice/${HASH}`) return answer(res, 200, invoice());
  });
}

/** What the embedded network throws for `req`, as `{ name, code, message }`. */
async function embeddedRefusal(req: CreateInvoiceRequest, hold: boolean) {
  const { net } = makeNet();
  const node = net.addNode({ alias: 'bob' });
  const err = (await (
    hold ? node.createHoldInvoice({ ...req, paymentHash: HASH }) : node.createInvoice(req)
  ).catch((e: unknown) => e)) as Error & { code: string };
  return { name: err.name, code: err.code, message: err.message };
}

const refused: Array<[string, CreateInvoiceRequest, string]> = [
  [
    'an expirySec of 400 days',
    { amountMsat: 1_000, expirySec: 34_560_000 },
    "expirySec must be a whole number of seconds from 1 to 31536000 (one year, LND's most), got 34560000",
  ],
  [
    'a memo of 700 characters',
    { amountMsat: 1_000, memo: 'm'.repeat(700) },
    "memo must be at most 639 bytes of UTF-8 (all a BOLT11 invoice's description holds), got 700 bytes",
  ],
  [
    'a memo of 2,000 characters',
    { amountMsat: 1_000, memo: 'm'.repeat(2000) },
    "memo must be at most 639 bytes of UTF-8 (all a BOLT11 invoice's description holds), got 2000 bytes",
  ],
];

describe('the LND adapter refuses an invoice LND would refuse before sending it, as the embedded network does', () => {
  it.each(refused)(
    '%s: LabError invalid_invoice_request with the embedded network’s message, ordinary and hold, nothing sent to LND',
    async (_, req, message) => {
      peer = await lnd();
      const node = peer.node();
      for (const hold of [false, true]) {
        const err = (await (
          hold ? node.createHoldInvoice({ ...req, paymentHash: HASH }) : node.createInvoice(req)
        ).catch((e: unknown) => e)) as Error & { code: string };
        const got = { name: err.name, code: err.code, message: err.message };
        expect(got).toEqual({ name: 'LabError', code: 'invalid_invoice_request', message });
        expect(got).toEqual(await embeddedRefusal(req, hold));
      }
      expect(peer.requests).toEqual([]);
    },
  );

  it('an expirySec of one year and a memo of 639 bytes go to LND as asked (expiry "31536000")', async () => {
    const bodies: unknown[] = [];
    peer = await lnd(bodies);
    const node = peer.node();
    const memo = '€'.repeat(213);
    const inv = await node.createInvoice({ amountMsat: 123_456, memo, expirySec: 31_536_000 });
    expect(inv.paymentHash).toBe(HASH);
    expect(peer.requests).toEqual(['POST /v1/invoices', `GET /v1/invoice/${HASH}`]);
    expect(bodies).toEqual([{ value_msat: '123456', memo, expiry: '31536000', private: true }]);
  });
});
