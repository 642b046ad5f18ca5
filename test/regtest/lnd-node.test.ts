import { createHash, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { beforeAll, expect, it } from 'vitest';
import { decodeInvoice, encodeInvoice } from '../../infra/lightning/bolt11.js';
import type { Invoice, LightningNode, Payment } from '../../infra/lightning/node.js';
import { LndError, LndNode } from '../../infra/lightning/lnd/index.js';
import { nodeByName } from '../../infra/regtest/network-file.js';
import { ChannelLedger, NODE_NAMES, changes, hubFee, quietBalances } from './support/ledger.js';
import { describeRegtest, regtestAvailability, useRegtest } from './support/regtest.js';

const unavailable = await regtestAvailability();

function newPreimage(): { preimage: string; hash: string } {
  const pre = randomBytes(32);
  return { preimage: pre.toString('hex'), hash: createHash('sha256').update(pre).digest('hex') };
}

async function waitForState(node: LightningNode, hash: string, state: Invoice['state']): Promise<Invoice> {
  for (let i = 0; i < 200; i++) {
    const inv = await node.lookupInvoice(hash);
    if (inv?.state === state) return inv;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`invoice ${hash} never reached ${state}`);
}

describeRegtest(unavailable, 'LndNode on a real regtest network', () => {
  const rt = useRegtest();
  /** What this file's payments should have done to each node's channel balance, msat. */
  const ledger = new ChannelLedger();
  const book = ledger.book.bind(ledger);
  const allNodes = async () =>
    Object.fromEntries(await Promise.all(NODE_NAMES.map(async (n) => [n, await rt.node(n)])));
  let before: Record<string, number>;

  beforeAll(async () => {
    before = await quietBalances(await allNodes());
  });

  it('reports the node identity and network', async () => {
    const info = await (await rt.node('seller-1')).info();
    const desc = rt.net.nodes.find((n) => n.name === 'seller-1')!;
    expect(info).toEqual({ pubkey: desc.pubkey, alias: 'seller-1', network: 'regtest' });
  });

  it('creates an msat invoice that our BOLT11 decoder reads back with the seller as payee', async () => {
    const seller = await rt.node('seller-1');
    const inv = await seller.createInvoice({
      amountMsat: 123_457,
      memo: 'one msat-precise invoice',
      expirySec: 600,
    });
    expect(inv).toMatchObject({
      amountMsat: 123_457,
      memo: 'one msat-precise invoice',
      state: 'open',
      isHold: false,
    });
    expect(inv.expiresAt - inv.createdAt).toBe(600_000);
    expect(createHash('sha256').update(Buffer.from(inv.preimage!, 'hex')).digest('hex')).toBe(
      inv.paymentHash,
    );
    const decoded = decodeInvoice(inv.paymentRequest, { expectedNetwork: 'regtest' });
    expect(decoded).toMatchObject({ amountMsat: 123_457, paymentHash: inv.paymentHash, expirySec: 600 });
    expect(decoded.payee).toBe((await seller.info()).pubkey);
  });

  it('pays a seller over two hops with exactly the hub fee (base + ppm, msat-precise)', async () => {
    const [buyer, seller] = [await rt.node('buyer-1'), await rt.node('seller-1')];
    const amount = 12_345_678;
    const inv = await seller.createInvoice({ amountMsat: amount });
    const p = await buyer.pay(inv.paymentRequest);
    expect(p).toMatchObject({
      status: 'succeeded',
      amountMsat: amount,
      feeMsat: hubFee(amount),
      hops: 2,
      preimage: inv.preimage,
    });
    expect(await seller.lookupInvoice(inv.paymentHash)).toMatchObject({
      state: 'settled',
      amountPaidMsat: amount,
    });
    expect(await buyer.lookupPayment(inv.paymentHash)).toMatchObject({
      status: 'succeeded',
      feeMsat: hubFee(amount),
    });
    book('buyer-1', 'seller-1', amount, p.feeMsat);
  });

  it('a 1-sat purchase fits the default fee ceiling (1%, at least 1 sat)', async () => {
    const [buyer, seller] = [await rt.node('buyer-2'), await rt.node('seller-2')];
    const inv = await seller.createInvoice({ amountMsat: 1000, memo: 'one sat' });
    const p = await buyer.pay(inv.paymentRequest);
    expect(p).toMatchObject({ status: 'succeeded', feeMsat: hubFee(1000) });
    expect(p.feeMsat).toBe(1000);
    book('buyer-2', 'seller-2', 1000, p.feeMsat);
  });

  it('settles a hold invoice: HTLC locked while accepted, events open → accepted → settled', async () => {
    const [buyer, seller] = [await rt.node('buyer-2'), await rt.node('seller-1')];
    const { preimage, hash } = newPreimage();
    const events: string[] = [];
    const off = seller.onInvoice((i) => i.paymentHash === hash && events.push(i.state));
    const amount = 3_000_000;
    const inv = await seller.createHoldInvoice({ amountMsat: amount, paymentHash: hash, memo: 'held' });
    expect(inv).toMatchObject({ state: 'open', isHold: true, amountMsat: amount });
    expect(inv.preimage).toBeUndefined();
    const paying = buyer.pay(inv.paymentRequest);
    expect(await waitForState(seller, hash, 'accepted')).toMatchObject({ amountPaidMsat: amount });
    expect((await buyer.balances()).pendingOutMsat).toBe(amount + hubFee(amount));
    expect(await buyer.lookupPayment(hash)).toMatchObject({ status: 'in_flight' });
    await seller.settleInvoice(preimage);
    const p = await paying;
    expect(p).toMatchObject({ status: 'succeeded', preimage, feeMsat: hubFee(amount) });
    await expect.poll(() => events, { timeout: 5000 }).toEqual(['open', 'accepted', 'settled']);
    off();
    book('buyer-2', 'seller-1', amount, p.feeMsat);
  });

  it('cancels a hold invoice and refunds the payer to the msat', async () => {
    const [buyer, seller] = [await rt.node('buyer-1'), await rt.node('seller-2')];
    const { hash } = newPreimage();
    const events: string[] = [];
    const off = seller.onInvoice((i) => i.paymentHash === hash && events.push(i.state));
    const { buyer: start } = await quietBalances({ buyer });
    const inv = await seller.createHoldInvoice({ amountMsat: 4_000_000, paymentHash: hash });
    // Another process watching the same node (a paywall, say) follows the invoice by hash.
    const elsewhere = await LndNode.fromFiles(nodeByName(rt.net, 'seller-2'));
    const seenElsewhere: string[] = [];
    elsewhere.onInvoice((i) => i.paymentHash === hash && seenElsewhere.push(i.state));
    elsewhere.watchInvoice(hash);
    const paying = buyer.pay(inv.paymentRequest);
    await waitForState(seller, hash, 'accepted');
    expect((await buyer.balances()).pendingOutMsat).toBe(4_000_000 + hubFee(4_000_000));
    await seller.cancelInvoice(hash);
    // The payee fails the HTLC as unknown details: that is all a payer of a canceled invoice learns.
    expect(await paying).toMatchObject({
      status: 'failed',
      failure: { reason: 'incorrect_payment_details' },
    });
    const { buyer: end } = await quietBalances({ buyer });
    expect(end).toBe(start);
    expect(await seller.lookupInvoice(hash)).toMatchObject({ state: 'canceled' });
    await expect.poll(() => events, { timeout: 5000 }).toEqual(['open', 'accepted', 'canceled']);
    await expect.poll(() => seenElsewhere.at(-1), { timeout: 5000 }).toBe('canceled');
    expect(seenElsewhere).toContain('accepted');
    off();
    await elsewhere.close();
  });

  it('a second pay() of an in-flight invoice follows the first payment instead of paying again', async () => {
    const seller = await rt.node('seller-2');
    // Its own LndNode with a log we can read: the second call must take the "resolve by hash" path.
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const buyer = await LndNode.fromFiles(nodeByName(rt.net, 'buyer-1'), { logger });
    const { preimage, hash } = newPreimage();
    const amount = 2_500_000;
    const inv = await seller.createHoldInvoice({ amountMsat: amount, paymentHash: hash });
    const first = buyer.pay(inv.paymentRequest);
    await waitForState(seller, hash, 'accepted');
    const second = buyer.pay(inv.paymentRequest);
    await expect
      .poll(() => lines.some((l) => l.includes('resolving it by hash') && l.includes('in transition')))
      .toBe(true);
    await seller.settleInvoice(preimage);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toMatchObject({ status: 'succeeded', preimage });
    expect(b).toEqual(a);
    expect(await seller.lookupInvoice(hash)).toMatchObject({ amountPaidMsat: amount });
    book('buyer-1', 'seller-2', amount, a.feeMsat);
    await buyer.close();
  });

  it('survives the payer restarting mid-payment: resolves by hash, never pays twice', async () => {
    const buyer = await rt.node('buyer-2', { reconnectTimeoutMs: 90_000 });
    const seller = await rt.node('seller-2');
    const { preimage, hash } = newPreimage();
    const amount = 5_000_000;
    const inv = await seller.createHoldInvoice({ amountMsat: amount, paymentHash: hash });
    // Caught now so a fault shows up in the assertion below, not as an unhandled rejection.
    const paying: Promise<unknown> = buyer.pay(inv.paymentRequest).catch((err: unknown) => err);
    await waitForState(seller, hash, 'accepted');
    await rt.stop('buyer-2');
    await seller.settleInvoice(preimage);
    await rt.start('buyer-2');
    const p = await paying;
    expect(p).toMatchObject({ status: 'succeeded', preimage, amountMsat: amount, feeMsat: hubFee(amount) });
    const all = (await buyer.rest.call('GET', '/v1/payments?include_incomplete=true&max_payments=1000')) as {
      payments: Array<{ payment_hash: string }>;
    };
    expect(all.payments.filter((x) => x.payment_hash === hash)).toHaveLength(1);
    expect(await seller.lookupInvoice(hash)).toMatchObject({ state: 'settled', amountPaidMsat: amount });
    book('buyer-2', 'seller-2', amount, (p as Payment).feeMsat);
  }, 120_000);

  it.each([
    ['an expired invoice fails as invoice_expired', 'invoice_expired'],
    ['paying the same invoice twice fails the second time as already_paid', 'already_paid'],
    ['an invoice another buyer already paid fails as incorrect_payment_details', 'incorrect_payment_details'],
    ['an invoice for a node nobody can reach fails as no_route', 'no_route'],
    ['a fee ceiling below the only route fee fails as fee_limit_exceeded', 'fee_limit_exceeded'],
    ['more than the channel holds fails as insufficient_balance', 'insufficient_balance'],
    ['paying your own invoice fails as self_payment', 'self_payment'],
    ['a mainnet invoice fails as wrong_network', 'wrong_network'],
    ['a string that is no invoice fails as invalid_invoice', 'invalid_invoice'],
    ['a seller that is offline fails as recipient_offline', 'recipient_offline'],
  ] as const)(
    '%s',
    async (_name, reason) => {
      const [buyer, other, seller] = [
        await rt.node('buyer-1'),
        await rt.node('buyer-2'),
        await rt.node('seller-1'),
      ];
      const payAndExpect = async (bolt11: string, opts = {}): Promise<void> => {
        const p = await buyer.pay(bolt11, opts);
        expect(p.failure?.reason, p.failure?.message).toBe(reason);
        expect(p).toMatchObject({ status: 'failed', feeMsat: 0 });
      };
      const fields = {
        description: 'nobody',
        amountMsat: 50_000,
        paymentSecret: '11'.repeat(32),
        timestampSec: Math.floor(Date.now() / 1000),
      };
      switch (reason) {
        case 'invoice_expired': {
          const inv = await seller.createInvoice({ amountMsat: 5_000_000, expirySec: 1 });
          await new Promise((r) => setTimeout(r, 2100));
          return payAndExpect(inv.paymentRequest);
        }
        case 'already_paid': {
          const inv = await seller.createInvoice({ amountMsat: 5_000_000 });
          const p = await buyer.pay(inv.paymentRequest);
          book('buyer-1', 'seller-1', 5_000_000, p.feeMsat);
          return payAndExpect(inv.paymentRequest);
        }
        case 'incorrect_payment_details': {
          const inv = await seller.createInvoice({ amountMsat: 5_000_000 });
          const p = await other.pay(inv.paymentRequest);
          book('buyer-2', 'seller-1', 5_000_000, p.feeMsat);
          return payAndExpect(inv.paymentRequest);
        }
        case 'no_route':
          return payAndExpect(
            encodeInvoice(
              { ...fields, network: 'regtest', paymentHash: newPreimage().hash },
              randomBytes(32),
            ),
          );
        case 'fee_limit_exceeded':
          return payAndExpect((await seller.createInvoice({ amountMsat: 5_000_000 })).paymentRequest, {
            maxFeeMsat: 100,
          });
        case 'insufficient_balance':
          return payAndExpect((await seller.createInvoice({ amountMsat: 1_990_000_000 })).paymentRequest);
        case 'self_payment':
          return payAndExpect((await buyer.createInvoice({ amountMsat: 5_000 })).paymentRequest);
        case 'wrong_network':
          return payAndExpect(
            encodeInvoice(
              { ...fields, network: 'mainnet', paymentHash: newPreimage().hash },
              randomBytes(32),
            ),
          );
        case 'invalid_invoice':
          return payAndExpect('lnbcrt1thisisnotaninvoice');
        case 'recipient_offline': {
          const inv = await (await rt.node('seller-2')).createInvoice({ amountMsat: 5_000_000 });
          await rt.stop('seller-2');
          try {
            return await payAndExpect(inv.paymentRequest);
          } finally {
            await rt.start('seller-2');
          }
        }
      }
    },
    60_000,
  );

  it.each([
    [
      'a negative amount',
      () => rt.node('seller-1').then((n) => n.createInvoice({ amountMsat: -1 })),
      'invalid_amount',
    ],
    [
      'a fractional amount',
      () => rt.node('seller-1').then((n) => n.createInvoice({ amountMsat: 1.5 })),
      'invalid_amount',
    ],
    [
      'a hash that is not 32 bytes of hex',
      () => rt.node('seller-1').then((n) => n.lookupInvoice('abc')),
      'bad_request',
    ],
    [
      'settling a hold invoice nobody paid yet',
      async () => {
        const seller = await rt.node('seller-1');
        const { preimage, hash } = newPreimage();
        await seller.createHoldInvoice({ amountMsat: 1000, paymentHash: hash });
        return seller.settleInvoice(preimage);
      },
      'bad_request',
    ],
  ] as const)('refuses %s with a typed error', async (_name, act, code) => {
    await expect(act()).rejects.toMatchObject({ code });
  });

  it('answers undefined for an invoice or payment it does not know', async () => {
    const node = await rt.node('buyer-2');
    const { hash } = newPreimage();
    expect(await node.lookupInvoice(hash)).toBeUndefined();
    expect(await node.lookupPayment(hash)).toBeUndefined();
  });

  it('keeps a ledger that matches every node’s channel balance change to the msat', async () => {
    const after = await quietBalances(await allNodes());
    expect(changes(before, after)).toEqual(ledger.expected());
    expect(Object.values(ledger.expected()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('is a fault, not a payment failure, when LND cannot be used', async () => {
    const desc = rt.net.nodes.find((n) => n.name === 'buyer-1')!;
    const other = rt.net.nodes.find((n) => n.name === 'seller-1')!;
    const wrongMacaroon = await LndNode.fromFiles({ ...desc, macaroonPath: other.macaroonPath });
    await expect(wrongMacaroon.info()).rejects.toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/admin\.macaroon/),
    });
    const wrongCert = await LndNode.fromFiles({ ...desc, tlsCertPath: other.tlsCertPath });
    await expect(wrongCert.balances()).rejects.toMatchObject({ code: 'tls' });
    const closedPort = await LndNode.fromFiles(
      { ...desc, restUrl: 'https://127.0.0.1:1' },
      { retry: { maxWaitMs: 300 } },
    );
    const err = await closedPort.pay('lnbcrt1x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LndError);
    expect(err).toMatchObject({ code: 'unreachable', message: expect.stringMatching(/is lnd running/i) });
    await Promise.all([wrongMacaroon.close(), wrongCert.close(), closedPort.close()]);
  });
});
