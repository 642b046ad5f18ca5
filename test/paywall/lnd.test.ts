import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  MemoryRootKeyStore,
  createMinter,
  formatAuthorization,
  paymentHashOfToken,
} from '../../infra/l402/index.js';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { systemClock } from '../../infra/time/clock.js';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import { l402Paywall } from '../../services/paywall/index.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import { Registry, RegistryClient, createRegistryApp, nodeSigner } from '../../services/registry/index.js';
import { quietBalances } from '../regtest/support/ledger.js';
import { describeRegtest, regtestAvailability, useRegtest } from '../regtest/support/regtest.js';
import { HOLD_REQUEST, challengeOf, holdRetryHeaders, json, sha256Hex } from './helpers.js';

const unavailable = await regtestAvailability();

describeRegtest(unavailable, 'paywall and registry on real LND (regtest)', () => {
  const rt = useRegtest();
  let seller: LightningNode;
  let buyer: LightningNode;
  let server: Listening;
  const events: PaywallEvent[] = [];

  beforeAll(async () => {
    seller = await rt.node('seller-1');
    buyer = await rt.node('buyer-1');
    const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => randomBytes(n) });
    const shared = { node: seller, minter, clock: systemClock, onEvent: (e: PaywallEvent) => events.push(e) };
    const app = new Hono();
    app.get(
      '/v1/data',
      l402Paywall({ ...shared, service: 'lndtest', price: 3_000, maxCalls: 2, strict: true }),
      (c) => c.json({ ok: true }),
    );
    app.get(
      '/v1/job',
      l402Paywall({
        ...shared,
        service: 'lndjob',
        price: 4_000,
        payOnSuccess: true,
      }),
      (c) => (c.req.query('fail') ? c.json({ error: 'crashed' }, 500) : c.json({ done: true })),
    );
    server = await listen(app.fetch);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('sells a token paid over real Lightning and checks settlement with the node (strict)', async () => {
    const first = await fetch(`${server.url}/v1/data`);
    expect(first.status).toBe(402);
    const ch = challengeOf(first);
    const inv = decodeInvoice(ch.invoice);
    expect(inv).toMatchObject({ network: 'regtest', amountMsat: 3_000, payee: (await seller.info()).pubkey });
    const paid = await buyer.pay(ch.invoice, { maxFeeMsat: 10_000 });
    expect(paid.status, JSON.stringify(paid.failure)).toBe('succeeded');
    const authorization = formatAuthorization({ macaroon: ch.macaroon, preimage: paid.preimage! });
    expect((await fetch(`${server.url}/v1/data`, { headers: { authorization } })).status).toBe(200);
    expect((await fetch(`${server.url}/v1/data`, { headers: { authorization } })).status).toBe(200);
    const over = await fetch(`${server.url}/v1/data`, { headers: { authorization } });
    expect((await json(over)).reason).toBe('quota_exhausted');
  });

  it('pay-on-success: settles a held HTLC when the handler succeeds', async () => {
    const first = await fetch(`${server.url}/v1/job`, { headers: HOLD_REQUEST });
    expect(first.headers.get('L402-Pay-On-Success')).toBe('1');
    const ch = challengeOf(first);
    const paying = buyer.pay(ch.invoice, { maxFeeMsat: 10_000 });
    const res = await fetch(`${server.url}/v1/job`, { headers: holdRetryHeaders(ch.macaroon) });
    expect(res.status).toBe(200);
    const payment = await paying;
    expect(payment.status).toBe('succeeded');
    expect(sha256Hex(payment.preimage!)).toBe(paymentHashOfToken(ch.macaroon));
    expect((await seller.lookupInvoice(payment.paymentHash))?.state).toBe('settled');
  });

  it('pay-on-success: cancels the held HTLC when the handler fails, and the buyer keeps every msat', async () => {
    const before = (await quietBalances({ buyer })).buyer;
    const first = await fetch(`${server.url}/v1/job?fail=1`, { headers: HOLD_REQUEST });
    const ch = challengeOf(first);
    const paying = buyer.pay(ch.invoice, { maxFeeMsat: 10_000 });
    const res = await fetch(`${server.url}/v1/job?fail=1`, {
      headers: holdRetryHeaders(ch.macaroon),
    });
    expect(res.status).toBe(500);
    const payment = await paying;
    expect(payment.status).toBe('failed');
    expect((await seller.lookupInvoice(paymentHashOfToken(ch.macaroon)))?.state).toBe('canceled');
    expect((await quietBalances({ buyer })).buyer).toBe(before);
    expect(events.filter((e) => e.type === 'settled' || e.type === 'refunded').map((e) => e.type)).toEqual([
      'settled',
      'refunded',
    ]);
  });

  it('registers a listing signed by an LND node (invoice attestation) and accepts a rating proven by a real payment', async () => {
    const registry = await Registry.open({ clock: systemClock, network: 'regtest' });
    const app = createRegistryApp(registry);
    const client = new RegistryClient({
      baseUrl: 'http://registry.test',
      fetch: async (r) => app.fetch(r),
      clock: systemClock,
    });
    const listing = {
      name: 'lndtest',
      url: `${server.url}/v1/data`,
      category: 'test',
      capabilities: [],
      tiers: [{ tier: 0, name: 'two calls', kind: 'bundle' as const, calls: 2, priceMsat: 3_000 }],
      nodePubkey: (await seller.info()).pubkey,
    };
    const reg = await client.register(listing, await nodeSigner(seller));
    expect(reg.ok).toBe(true);
    if (!reg.ok) return;
    const buyerSigned = await client.register(
      { ...listing, url: `${server.url}/other` },
      { ...(await nodeSigner(buyer)), pubkey: listing.nodePubkey },
    );
    expect(buyerSigned).toMatchObject({ ok: false, code: 'bad_signature' });

    const ch = challengeOf(await fetch(`${server.url}/v1/data`));
    const paid = await buyer.pay(ch.invoice, { maxFeeMsat: 10_000 });
    expect(
      await client.rate(
        reg.listing.id,
        { score: 4, invoice: ch.invoice, preimage: paid.preimage! },
        await nodeSigner(buyer),
      ),
    ).toMatchObject({
      ok: true,
      rating: { average: 4, count: 1, paidMsat: 3_000 },
    });
  });
});
