import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { decodeInvoice, encodeUnsignedInvoice } from '../../infra/lightning/bolt11.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

// Seed 1's first two node keys (node/0, node/1), derived by libsecp256k1.
const ALICE = '03c5997de2ad7e6dac8ac89dbb148a63b662d3940275a2f2c89b321b4c7c0f614c';
const BOB = '0271af73715efc4510a92b6c2d0cafb4c1f5a90b4fedb984ac380bf699758eb2b3';

describe('node keys (public half derived on first use)', () => {
  it('gives each node the public key of its seeded secret key', async () => {
    const { net } = makeNet();
    const alice = net.addNode({ alias: 'alice' });
    const bob = net.addNode({ alias: 'bob' });
    expect(bob.pubkey).toBe(BOB);
    expect((await alice.info()).pubkey).toBe(ALICE);
  });

  it('signs an invoice issued before anyone read the key as the same key', async () => {
    const { net } = makeNet();
    const alice = net.addNode({ alias: 'alice' });
    const inv = await alice.createInvoice({ amountMsat: 5_000 });
    expect(decodeInvoice(inv.paymentRequest).payee).toBe(ALICE);
    expect(alice.pubkey).toBe(ALICE);
  });

  it('routes a foreign invoice naming a key read for the first time to that node, which refuses the unknown hash', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(5), signInvoices: false });
    const alice = net.addNode({ alias: 'alice' });
    const bob = net.addNode({ alias: 'bob' });
    net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
    const foreign = encodeUnsignedInvoice(
      {
        network: 'regtest',
        amountMsat: 10_000,
        paymentHash: '11'.repeat(32),
        paymentSecret: '22'.repeat(32),
        description: '',
        timestampSec: Math.floor(clock.now() / 1000),
        expirySec: 3600,
        minFinalCltvExpiry: 80,
      },
      hex.decode(bob.pubkey),
    );
    const p = await settle(clock, alice.pay(foreign));
    expect([p.status, p.attempts, p.failure]).toEqual([
      'failed',
      1,
      { reason: 'incorrect_payment_details', message: 'unknown payment hash' },
    ]);
  });
});
