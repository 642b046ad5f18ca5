/**
 * Both backends check `pay`'s options the same way, before anything is sent: options that are not an
 * object are refused `invalid_payment_options` naming the value (never read as the defaults); a bad
 * `amountMsat` or `maxFeeMsat` is `invalid_amount` whatever the invoice; null means the defaults.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LightningNode, PayOptions } from '../../infra/lightning/node.js';
import {
  decodes,
  HASH,
  INVOICE,
  payment,
  startHostileLnd,
  streamLine,
  type HostileLnd,
} from '../lnd/hostile-lnd.js';
import { alicePaysBob, settle } from './helpers.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

/** An LND peer that decodes the fixture invoice (123,456 msat) and settles its payment. */
async function lnd(): Promise<LightningNode> {
  peer = await startHostileLnd((req, res) => {
    if (decodes(req, res)) return;
    streamLine(res, payment('SUCCEEDED'));
    res.end();
  });
  return peer.node();
}

/** What `pay` throws for `options`, on the simnet (an invoice of Bob's, 10,000 msat) and on LND, and who was asked. */
async function refusals(options: unknown) {
  const { alice, bob } = alicePaysBob();
  const inv = await bob.createInvoice({ amountMsat: 10_000 });
  const simnet = await alice.pay(inv.paymentRequest, options as PayOptions).catch((e: unknown) => e);
  const node = await lnd();
  const real = await node.pay(INVOICE, options as PayOptions).catch((e: unknown) => e);
  return {
    simnet,
    lnd: real,
    simnetRecord: await alice.lookupPayment(inv.paymentHash),
    lndRequests: peer!.requests,
  };
}

const SHAPE = 'pay options must be an object ({ maxFeeMsat?, timeoutMs?, amountMsat? }) or left out; got';

describe('pay options that are not an object are refused by both backends, naming the value', () => {
  it.each([
    ['str', 'the string "str"'],
    [5, 'the number 5'],
    [true, 'the boolean true'],
    [[1000], 'an array'],
    ['x'.repeat(100), `the string "${'x'.repeat(40)}…"`],
  ])(
    'pay(invoice, %j) throws invalid_payment_options "… got %s"; nothing sent, no record',
    async (options, shown) => {
      const r = await refusals(options);
      const expected = { name: 'LabError', code: 'invalid_payment_options', message: `${SHAPE} ${shown}` };
      expect(r.simnet).toMatchObject(expected);
      expect(r.lnd).toMatchObject(expected);
      expect(r.simnetRecord).toBeUndefined();
      expect(r.lndRequests).toEqual([]);
    },
  );
});

describe('amountMsat and maxFeeMsat are checked alike, whatever the invoice', () => {
  it.each([
    [{ amountMsat: -5 }, 'amountMsat must be a non-negative integer number of millisatoshis, got -5'],
    [{ amountMsat: 1.5 }, 'amountMsat must be a non-negative integer number of millisatoshis, got 1.5'],
    [{ maxFeeMsat: -1 }, 'maxFeeMsat must be a non-negative integer number of millisatoshis, got -1'],
  ])(
    'pay(invoice with an amount, %j) throws invalid_amount on both, before LND is asked anything',
    async (options, message) => {
      const r = await refusals(options);
      expect(r.simnet).toMatchObject({ name: 'LabError', code: 'invalid_amount', message });
      expect(r.lnd).toMatchObject({ name: 'LabError', code: 'invalid_amount', message });
      expect(r.simnetRecord).toBeUndefined();
      expect(r.lndRequests).toEqual([]);
    },
  );
});

describe('null options mean the defaults on both backends', () => {
  it('pay(invoice, null) succeeds on the simnet (10,000 msat) and on LND (123,456 msat)', async () => {
    const { clock, alice, bob } = alicePaysBob();
    const inv = await bob.createInvoice({ amountMsat: 10_000 });
    const simnet = await settle(clock, alice.pay(inv.paymentRequest, null as never));
    const real = await (await lnd()).pay(INVOICE, null as never);
    expect(simnet).toMatchObject({ status: 'succeeded', amountMsat: 10_000 });
    expect(real).toMatchObject({ paymentHash: HASH, status: 'succeeded', amountMsat: 123_456 });
  });
});
