import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { caveats, createMinter, formatChallenge, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { VIRTUAL_EPOCH_MS } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket } from './market.js';

const PRICE_MSAT = 5_000;
const NOW_SEC = VIRTUAL_EPOCH_MS / 1000;

/**
 * A seller on `host` whose 402 sells a token carrying `extra` caveats for
 * service `svc`, and that delivers to any request with credentials (it
 * verifies nothing: what the buyer pays for is the buyer's check alone).
 */
function sellerWith(host: string, extra: string[], { requestTimeoutMs }: { requestTimeoutMs?: number } = {}) {
  const m = makeMarket();
  const node = m.addNode(host);
  const keyRng = m.rng.fork(`keys/${host}`);
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keyRng.bytes(n) });
  const seen = { invoices: 0, authorized: 0 };
  const app = new Hono();
  app.all('/v1/data', async (c) => {
    if (c.req.header('authorization')) {
      seen.authorized++;
      return c.json({ data: 42 });
    }
    seen.invoices++;
    const inv = await node.createInvoice({ amountMsat: PRICE_MSAT, expirySec: 600 });
    const minted = await minter.mint({
      paymentHash: inv.paymentHash,
      caveats: [caveats.services([{ name: 'svc', tier: 0 }]), ...extra],
    });
    return c.json({ error: 'payment_required', priceMsat: PRICE_MSAT }, 402, {
      'WWW-Authenticate': formatChallenge({ macaroon: minted.token, invoice: inv.paymentRequest }),
    });
  });
  m.mount(host, app);
  const events: PurchaseEvent[] = [];
  const client = createL402Client({
    node: m.buyer,
    fetch: m.fetch,
    clock: m.clock,
    onEvent: (e) => events.push(e),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
  });
  return { m, client, seen, events, url: `http://${host}/v1/data` };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Why a token ending `leftMs` after now is refused by a client whose requestTimeoutMs is the default 30,000 ms. */
const endsTooSoon = (leftMs: number) =>
  `its svc_valid_until ends at ${iso(VIRTUAL_EPOCH_MS + leftMs)}, ${leftMs} ms after now (${iso(VIRTUAL_EPOCH_MS)}), ` +
  "within the client's requestTimeoutMs (30000 ms) a paid call may take to reach the seller: it could arrive after the token ends";

describe('a challenge whose token cannot authorize the request is refused before paying', () => {
  const cases = [
    {
      name: 'svc_valid_until an hour before now',
      caveat: caveats.validUntil('svc', NOW_SEC - 3600),
      why: `its svc_valid_until ends at ${iso(VIRTUAL_EPOCH_MS - 3_600_000)}, not after now (${iso(VIRTUAL_EPOCH_MS)})`,
    },
    {
      name: 'svc_valid_until exactly now',
      caveat: caveats.validUntil('svc', NOW_SEC),
      why: `its svc_valid_until ends at ${iso(VIRTUAL_EPOCH_MS)}, not after now (${iso(VIRTUAL_EPOCH_MS)})`,
    },
    {
      name: 'svc_valid_until one second after now (within the 30 s requestTimeoutMs)',
      caveat: caveats.validUntil('svc', NOW_SEC + 1),
      why: endsTooSoon(1_000),
    },
    {
      name: 'svc_valid_until 30 s after now (exactly the requestTimeoutMs)',
      caveat: caveats.validUntil('svc', NOW_SEC + 30),
      why: endsTooSoon(30_000),
    },
    { name: 'svc_max_calls=0', caveat: caveats.maxCalls('svc', 0), why: 'its svc_max_calls is 0' },
    {
      name: 'svc_methods=POST for a GET',
      caveat: caveats.methods('svc', ['POST']),
      why: 'its svc_methods [POST] do not include GET',
    },
    {
      name: 'svc_path_prefix=/other for /v1/data',
      caveat: caveats.pathPrefix('svc', '/other'),
      why: 'its svc_path_prefix /other does not cover /v1/data',
    },
    {
      name: 'svc_path_prefix=/v1/dat for /v1/data (whole segments only)',
      caveat: caveats.pathPrefix('svc', '/v1/dat'),
      why: 'its svc_path_prefix /v1/dat does not cover /v1/data',
    },
  ];

  it.each(cases)(
    '$name: invoice_rejected / unusable_token naming the caveat, 0 msat paid, no authorized request sent',
    async ({ caveat, why }) => {
      const { m, client, seen, events, url } = sellerWith('dud.test', [caveat]);
      const before = await m.balance(m.buyer);

      const r = await client.purchase(url);

      expect(r).toMatchObject({
        outcome: 'invoice_rejected',
        rejection: 'unusable_token',
        reason: `the token cannot authorize GET /v1/data: ${why}`,
        status: 402,
        quotedMsat: PRICE_MSAT,
        paidMsat: 0,
        feeMsat: 0,
        requests: 1,
      });
      expect(before - (await m.balance(m.buyer))).toBe(0);
      expect(seen).toEqual({ invoices: 1, authorized: 0 });
      // Refused at the check step: the policy is never asked.
      expect(events.map((e) => e.step)).toEqual(['challenge', 'check']);
      expect(events[1]).toMatchObject({ step: 'check', ok: false, rejection: 'unusable_token' });
      expect(client.tokens.list()).toEqual([]);
    },
  );

  it('a token whose caveats cover the request (GET /v1/data, 1 call, valid 31 s more: past the 30 s requestTimeoutMs) is paid 5,000 msat and delivers', async () => {
    const { m, client, seen, url } = sellerWith('fine.test', [
      caveats.validUntil('svc', NOW_SEC + 31),
      caveats.maxCalls('svc', 1),
      caveats.methods('svc', ['GET', 'POST']),
      caveats.pathPrefix('svc', '/v1'),
    ]);
    const before = await m.balance(m.buyer);

    const r = await client.purchase(url);

    expect(r).toMatchObject({ outcome: 'success', paidMsat: PRICE_MSAT, quotedMsat: PRICE_MSAT });
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + r.feeMsat);
    expect(seen).toEqual({ invoices: 1, authorized: 1 });
  });

  it('a client whose requestTimeoutMs is 500 ms pays 5,000 msat for a token valid one second more, and it delivers', async () => {
    const { m, client, seen, url } = sellerWith('quick.test', [caveats.validUntil('svc', NOW_SEC + 1)], {
      requestTimeoutMs: 500,
    });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(url);

    expect(r).toMatchObject({ outcome: 'success', paidMsat: PRICE_MSAT, quotedMsat: PRICE_MSAT });
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + r.feeMsat);
    expect(seen).toEqual({ invoices: 1, authorized: 1 });
  });

  it('a paywall selling 1 s tokens, asked at x.950 s (its token ends 50 ms later), is refused before paying: 0 msat, nothing served', async () => {
    const m = makeMarket({ latency: fixedLatency(30) });
    const seller = m.addSeller({ name: 'alpha', priceMsat: 10_000, tokenLifetimeSec: 1 });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    await m.clock.advance(950);
    const before = await m.balance(m.buyer);

    const r = await drive(m.clock, client.purchase(seller.url));

    expect([r.outcome, r.rejection, r.paidMsat, r.feeMsat]).toEqual([
      'invoice_rejected',
      'unusable_token',
      0,
      0,
    ]);
    expect(r.reason).toBe(
      `the token cannot authorize GET /v1/data: its alpha_valid_until ends at ${iso(VIRTUAL_EPOCH_MS + 1_000)}, ` +
        `50 ms after now (${iso(VIRTUAL_EPOCH_MS + 950)}), within the client's requestTimeoutMs (30000 ms) ` +
        'a paid call may take to reach the seller: it could arrive after the token ends',
    );
    expect(before - (await m.balance(m.buyer))).toBe(0);
    expect(seller.served).toBe(0);
  });

  it('a POST under svc_methods=GET is refused with 0 msat paid', async () => {
    const { m, client, url } = sellerWith('get-only.test', [caveats.methods('svc', ['GET'])]);
    const before = await m.balance(m.buyer);

    const r = await client.purchase(url, { method: 'POST', body: '{}' });

    expect(r).toMatchObject({
      outcome: 'invoice_rejected',
      rejection: 'unusable_token',
      reason: 'the token cannot authorize POST /v1/data: its svc_methods [GET] do not include POST',
      paidMsat: 0,
    });
    expect(before - (await m.balance(m.buyer))).toBe(0);
  });

  it('two purchases of a path outside the token prefix pay nothing and hold no token under another scope', async () => {
    const { m, client, seen, url } = sellerWith('prefix.test', [
      caveats.maxCalls('svc', 10),
      caveats.pathPrefix('svc', '/elsewhere'),
    ]);
    const before = await m.balance(m.buyer);

    const first = await client.purchase(url);
    const second = await client.purchase(url);

    expect([first, second].map((r) => [r.outcome, r.rejection, r.paidMsat])).toEqual([
      ['invoice_rejected', 'unusable_token', 0],
      ['invoice_rejected', 'unusable_token', 0],
    ]);
    expect(before - (await m.balance(m.buyer))).toBe(0);
    expect(seen).toEqual({ invoices: 2, authorized: 0 });
    expect(client.tokens.list()).toEqual([]);
  });
});
