import { afterEach, describe, expect, it } from 'vitest';
import {
  answer,
  DECODED,
  HASH,
  INVOICE,
  invoice,
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

describe('a negative amount in an LND *_msat field is refused, never taken as msat', () => {
  it('lookupInvoice of an invoice with value_msat "-1000": bad_response naming the field', async () => {
    peer = await startHostileLnd((_req, res) => answer(res, 200, invoice({ value_msat: '-1000' })));

    const err = await peer
      .node()
      .lookupInvoice(HASH)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_response',
      message:
        'lookup invoice: unexpected response from LND at value_msat: expected a non-negative amount of msat, got -1000',
    });
  });

  it('lookupPayment of a success with fee_msat "-7000": bad_response naming the field', async () => {
    peer = await startHostileLnd((_req, res) => {
      streamLine(res, payment('SUCCEEDED', { fee_msat: '-7000' }));
      res.end();
    });

    const err = await peer
      .node()
      .lookupPayment(HASH)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_response',
      message:
        'lookup payment: unexpected response from LND at fee_msat: expected a non-negative amount of msat, got -7000',
    });
  });

  it('pay of an invoice LND decodes with num_msat "-5": bad_response, nothing sent', async () => {
    peer = await startHostileLnd((_req, res) => answer(res, 200, { ...DECODED, num_msat: '-5' }));

    const err = await peer
      .node()
      .pay(INVOICE)
      .catch((e: unknown) => e);

    expect(err).toMatchObject({
      code: 'bad_response',
      message:
        'decode invoice: unexpected response from LND at num_msat: expected a non-negative amount of msat, got -5',
    });
    expect(peer.requests).toEqual([`GET /v1/payreq/${INVOICE}`]);
  });
});
