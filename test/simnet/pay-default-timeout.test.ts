/**
 * `pay` without a `timeoutMs` waits `DEFAULT_PAY_TIMEOUT_MS` (60 s) on both backends: the simnet answers a
 * payment whose HTLC the payee holds `in_flight` at 60 s (the payment goes on), as LND's adapter asks LND
 * for a 60 s timeout and answers in flight once its deadline passes, in the same shape.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_PAY_TIMEOUT_MS, type Payment, type PayOptions } from '../../infra/lightning/node.js';
import { fixedLatency, type SimNode } from '../../infra/lightning/simnet/index.js';
import {
  decodes,
  HASH,
  INVOICE,
  payment,
  startHostileLnd,
  streamLine,
  type HostileLnd,
} from '../lnd/hostile-lnd.js';
import { makeNet } from './helpers.js';

const preimage = 'ab'.repeat(32);
const paymentHash = hex.encode(sha256(hex.decode(preimage)));

/** Alice pays Carol through Bob (10 ms a hop; Bob charges 1,000 msat + 1 ppm); Carol holds the HTLC. */
async function heldPayment(options: PayOptions | null | undefined) {
  const { clock, net } = makeNet({ latency: fixedLatency(10) });
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias })) as [
    SimNode,
    SimNode,
    SimNode,
  ];
  net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
  net.openChannel(bob, carol, { capacityMsat: 1_000_000_000 });
  const inv = await carol.createHoldInvoice({ amountMsat: 5_000_000, paymentHash });
  let answer: { p: Payment; atMs: number } | undefined;
  const start = clock.now();
  void alice
    .pay(inv.paymentRequest, options as PayOptions)
    .then((p) => (answer = { p, atMs: clock.now() - start }));
  return { clock, alice, carol, start, answered: () => answer };
}

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe('pay without timeoutMs: the 60 s default of both backends', () => {
  it('DEFAULT_PAY_TIMEOUT_MS is 60,000 ms', () => {
    expect(DEFAULT_PAY_TIMEOUT_MS).toBe(60_000);
  });

  it.each([
    ['no options', undefined],
    ['{}', {}],
    ['null', null],
  ])(
    'simnet, %s: a held HTLC is answered in_flight at exactly 60,000 ms (not at 59,999), and the payment goes on to succeed when the payee settles at 90 s',
    async (_name, options) => {
      const { clock, alice, carol, start, answered } = await heldPayment(options);
      await clock.runUntilIdle(start + DEFAULT_PAY_TIMEOUT_MS - 1);
      expect(answered()).toBeUndefined();
      await clock.runUntilIdle(start + DEFAULT_PAY_TIMEOUT_MS);
      expect(answered()?.atMs).toBe(60_000);
      expect(answered()?.p).toEqual({
        paymentHash,
        status: 'in_flight',
        amountMsat: 5_000_000,
        feeMsat: 0,
        hops: 0,
        attempts: 1,
        createdAt: start,
      });
      await clock.advanceTo(start + 90_000);
      await carol.settleInvoice(preimage);
      await clock.runUntilIdle();
      expect(await alice.lookupPayment(paymentHash)).toMatchObject({ status: 'succeeded', feeMsat: 1_005 });
    },
  );

  it('LND: pay without options asks LND for timeout_seconds 60 (DEFAULT_PAY_TIMEOUT_MS)', async () => {
    const sent: unknown[] = [];
    peer = await startHostileLnd((req, res) => {
      if (decodes(req, res)) return;
      sent.push(JSON.parse(req.body));
      streamLine(res, payment('SUCCEEDED'));
      res.end();
    });
    const p = await peer.node().pay(INVOICE);
    expect(p).toMatchObject({ paymentHash: HASH, status: 'succeeded' });
    expect(sent).toMatchObject([{ timeout_seconds: DEFAULT_PAY_TIMEOUT_MS / 1000 }]);
  });
});
