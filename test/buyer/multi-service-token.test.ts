import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, prepareRequest, type PurchaseHints } from '../../agents/l402/index.js';
import { delegate } from '../../agents/resale/index.js';
import {
  caveats,
  createMinter,
  formatAuthorization,
  formatChallenge,
  Macaroon,
  MemoryRootKeyStore,
} from '../../infra/l402/index.js';
import { drive, makeMarket, type Market } from './market.js';

/**
 * A token's caveats are per service and the seller's verifier applies those of
 * the service it guards: the buyer reads a quoted token's limits for the
 * service it is buying (`hints.service`), not for the first one its
 * `services` caveat lists, and pays nothing for a token that seller refuses.
 */

const URL_ = 'http://multi.test/v1/data';

/**
 * A seller of service `svc` whose tokens carry `list(nowSec)`, then `appended(nowSec)` added past the
 * minter's chain check: 5,000 msat, verified for svc, GET /v1/data.
 */
function multiServiceSeller(
  m: Market,
  list: (nowSec: number) => string[],
  appended: (nowSec: number) => string[] = () => [],
) {
  const node = m.addNode('multi');
  const keyRng = m.rng.fork('keys');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keyRng.bytes(n) });
  const seen = { withCredential: 0, delivered: 0 };
  const app = new Hono();
  app.get('/v1/data', async (c) => {
    const auth = c.req.header('authorization');
    if (auth) {
      seen.withCredential++;
      const ctx = { service: 'svc', nowMs: m.clock.now(), method: 'GET', path: '/v1/data' };
      if ((await minter.verify(auth, ctx)).ok) {
        seen.delivered++;
        return c.json({ ok: true });
      }
    }
    const inv = await node.createInvoice({ amountMsat: 5_000, expirySec: 600 });
    const nowSec = Math.floor(m.clock.now() / 1000);
    const { token } = await minter.mint({ paymentHash: inv.paymentHash, caveats: list(nowSec) });
    let mac = Macaroon.fromBase64(token);
    for (const caveat of appended(nowSec)) mac = mac.addFirstPartyCaveat(caveat);
    return c.json({ error: 'payment_required', priceMsat: 5_000 }, 402, {
      'WWW-Authenticate': formatChallenge({ macaroon: mac.toBase64(), invoice: inv.paymentRequest }),
    });
  });
  m.mount('multi.test', app);
  return seen;
}

const DECOY_THEN_SVC = caveats.services([
  { name: 'decoy', tier: 0 },
  { name: 'svc', tier: 0 },
]);

async function buy(
  list: (nowSec: number) => string[],
  hints: PurchaseHints,
  appended?: (nowSec: number) => string[],
) {
  const m = makeMarket();
  const seen = multiServiceSeller(m, list, appended);
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const before = await m.balance(m.buyer);
  const r = await drive(m.clock, client.purchase(URL_, {}, hints));
  return { m, r, seen, client, spent: before - (await m.balance(m.buyer)) };
}

describe('a quoted token listing several services is read for the service being bought', () => {
  it.each<[string, (s: number) => string[], string]>([
    [
      'svc expired (decoy listed first, unlimited)',
      (s) => [DECOY_THEN_SVC, caveats.validUntil('svc', s - 10)],
      'its svc_valid_until ends at 2025-12-31T23:59:50.000Z, not after now (2026-01-01T00:00:00.000Z)',
    ],
    ['svc_max_calls=0', () => [DECOY_THEN_SVC, caveats.maxCalls('svc', 0)], 'its svc_max_calls is 0'],
    [
      'svc bound to POST',
      () => [DECOY_THEN_SVC, caveats.methods('svc', ['POST'])],
      'its svc_methods [POST] do not include GET',
    ],
  ])(
    'refuses a services=decoy:0,svc:0 token whose %s before paying: unusable_token, 0 paid',
    async (_n, list, why) => {
      const { r, seen, spent } = await buy(list, { service: 'svc' });
      expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'unusable_token', paidMsat: 0 });
      expect(r.reason).toBe(`the token cannot authorize GET /v1/data: ${why}`);
      expect(spent).toBe(0);
      expect(seen).toEqual({ withCredential: 0, delivered: 0 });
    },
  );

  it('refuses a token whose services caveat does not list the service being bought, naming both', async () => {
    const list = () => [
      caveats.services([
        { name: 'decoy', tier: 0 },
        { name: 'other', tier: 1 },
      ]),
    ];
    const { r, spent } = await buy(list, { service: 'svc' });
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'unusable_token', paidMsat: 0 });
    expect(r.reason).toBe(
      'the token cannot authorize GET /v1/data: its services caveat lists decoy:0,other:1, not svc, ' +
        'the service being bought: the seller would refuse it (service_mismatch)',
    );
    expect(spent).toBe(0);
  });

  it("refuses a token whose caveats for the service being bought the verifier would refuse (decoy's read cleanly)", async () => {
    const list = (s: number) => [DECOY_THEN_SVC, caveats.validUntil('svc', s + 3_600)];
    const widened = (s: number) => [caveats.validUntil('svc', s + 7_200)];
    const { r, seen, spent } = await buy(list, { service: 'svc' }, widened);
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'unusable_token', paidMsat: 0 });
    expect(r.reason).toBe(
      'the token cannot authorize GET /v1/data: its caveats for svc, the service being bought, would be refused ' +
        'by the verifier (widening_caveat: svc_valid_until: 1767232800 is later than 1767229200)',
    );
    expect(spent).toBe(0);
    expect(seen).toEqual({ withCredential: 0, delivered: 0 });
  });

  it('refuses a token listing several services when the purchase names none (fails closed)', async () => {
    const { r, spent } = await buy(() => [DECOY_THEN_SVC], {});
    expect(r).toMatchObject({ outcome: 'invoice_rejected', rejection: 'unusable_token', paidMsat: 0 });
    expect(r.reason).toBe(
      'the token cannot authorize GET /v1/data: its services caveat lists 2 services (decoy:0,svc:0) and the ' +
        "purchase names none: the seller verifies it for one of them, under that one's caveats; name the service " +
        'being bought (hints.service)',
    );
    expect(spent).toBe(0);
  });

  it('buys a one-service token the purchase names otherwise (a listing name), read for its one service', async () => {
    const list = () => [caveats.services([{ name: 'svc', tier: 0 }]), caveats.maxCalls('svc', 2)];
    const { r, seen, spent, client } = await buy(list, { service: 'Real data feed' });
    expect(r).toMatchObject({ outcome: 'success', paidMsat: 5_000 });
    expect(spent).toBe(5_105);
    expect(seen).toEqual({ withCredential: 1, delivered: 1 });
    expect(client.engine.tokens.list().map((t) => [t.service, t.maxCalls, t.callsUsed])).toEqual([
      ['svc', 2, 1],
    ]);
  });

  it('still buys a one-service token with no service named, read for that service', async () => {
    const list = () => [caveats.services([{ name: 'svc', tier: 0 }]), caveats.maxCalls('svc', 2)];
    const { r, seen, spent, client } = await buy(list, {});
    expect(r).toMatchObject({ outcome: 'success', paidMsat: 5_000 });
    expect(spent).toBe(5_105);
    expect(seen).toEqual({ withCredential: 1, delivered: 1 });
    expect(client.engine.tokens.list().map((t) => [t.service, t.maxCalls, t.callsUsed])).toEqual([
      ['svc', 2, 1],
    ]);
  });
});

describe('a token bought for its second listed service keeps that service', () => {
  const list = () => [
    caveats.services([
      { name: 'decoy', tier: 0 },
      { name: 'svc', tier: 1 },
    ]),
    caveats.maxCalls('decoy', 1),
    caveats.maxCalls('svc', 3),
  ];

  it("offers svc's limits and tier 1 to the listing check, stores the token for svc and reuses its 3 calls", async () => {
    const m = makeMarket();
    const seen = multiServiceSeller(m, list);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const req = await prepareRequest(URL_);
    const probe = await drive(m.clock, client.engine.probe(req));
    if (!probe.ok || !('answer' in probe)) throw new Error('expected a 402');
    const tiers: (number | undefined)[] = [];
    const made = await client.engine.offer(req, probe.answer, { service: 'svc' }, m.clock.now(), (t) => {
      tiers.push(t);
      return 5_000;
    });
    if (!made.ok) throw new Error(made.reason);
    expect(made.offer.limits).toEqual({
      services: [
        { name: 'decoy', tier: 0 },
        { name: 'svc', tier: 1 },
      ],
      service: 'svc',
      maxCalls: 3,
    });
    expect(tiers).toEqual([1]);

    for (let i = 0; i < 3; i++)
      expect(await drive(m.clock, client.purchase(URL_, {}, { service: 'svc' }))).toMatchObject({
        outcome: 'success',
        tokenReused: i > 0,
      });
    expect(seen).toEqual({ withCredential: 3, delivered: 3 });
    const [token] = client.engine.tokens.list();
    expect([token!.service, token!.maxCalls, token!.callsUsed]).toEqual(['svc', 3, 3]);
  });

  it('delegates the stored token for svc: the copy lists svc:1 alone and svc_max_calls=1', async () => {
    const m = makeMarket();
    multiServiceSeller(m, list);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    expect(await drive(m.clock, client.purchase(URL_, {}, { service: 'svc' }))).toMatchObject({
      outcome: 'success',
    });
    const [token] = client.engine.tokens.list();
    const slice = delegate({ ...token!, preimage: token!.preimage! }, { calls: 1 }, { clock: m.clock });
    expect(slice.service).toBe('svc');
    expect(Macaroon.fromBase64(slice.macaroon).caveats.slice(3)).toEqual([
      'services=svc:1',
      'svc_max_calls=1',
    ]);
    const auth = formatAuthorization({ macaroon: slice.macaroon, preimage: token!.preimage! });
    const res = await drive(m.clock, m.fetch(URL_, { headers: { authorization: auth } }));
    expect(res.status).toBe(200);
  });
});
