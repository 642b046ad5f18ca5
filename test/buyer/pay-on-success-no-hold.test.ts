import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { caveats, createMinter, formatChallenge, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { drive, makeMarket, type Market } from './market.js';

/**
 * A seller that offers pay-on-success (`L402-Pay-On-Success: 1`) with an
 * ordinary invoice: the payment settles at once, so no hold protects the
 * buyer, and the seller answers the held call `L402 <mac>:` (no preimage)
 * with 402. The buyer paid and holds the preimage: it sends the paid call
 * once more with it, as any paid call, instead of counting its one call spent.
 */

const URL_ = 'http://nohold.test/v1/data';

/** The seller: 1-call tokens for 5,000 msat, a 402 to every credential `serves` does not accept. */
function noHoldSeller(m: Market, serves: (preimage: string) => boolean) {
  const node = m.addNode('nohold');
  const keyRng = m.rng.fork('keys');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keyRng.bytes(n) });
  const sent: string[] = [];
  let delivered = 0;
  const app = new Hono();
  app.get('/v1/data', async (c) => {
    const auth = c.req.header('authorization');
    if (auth) {
      const preimage = auth.slice(auth.lastIndexOf(':') + 1);
      sent.push(preimage ? 'with preimage' : 'without preimage');
      const ctx = { service: 'svc', nowMs: m.clock.now(), method: 'GET', path: '/v1/data' };
      if (serves(preimage) && (await minter.verify(auth, ctx)).ok) {
        delivered++;
        return c.json({ ok: true });
      }
    }
    const inv = await node.createInvoice({ amountMsat: 5_000, expirySec: 600 });
    const { token } = await minter.mint({
      paymentHash: inv.paymentHash,
      caveats: [caveats.services([{ name: 'svc', tier: 0 }]), caveats.maxCalls('svc', 1)],
    });
    return c.json({ error: 'payment_required', priceMsat: 5_000 }, 402, {
      'WWW-Authenticate': formatChallenge({ macaroon: token, invoice: inv.paymentRequest }),
      'L402-Pay-On-Success': '1',
    });
  });
  m.mount('nohold.test', app);
  return { sent, delivered: () => delivered };
}

async function buyFrom(serves: (preimage: string) => boolean) {
  const m = makeMarket();
  const seller = noHoldSeller(m, serves);
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const before = await m.balance(m.buyer);
  const r = await drive(m.clock, client.purchase(URL_, {}, { service: 'svc' }));
  return { r, seller, client, spent: before - (await m.balance(m.buyer)) };
}

describe('a held call refused although its invoice settled (pay-on-success without a hold)', () => {
  it('is sent once more with the preimage: delivered, paid once, the 1-call token used by that call', async () => {
    const { r, seller, client, spent } = await buyFrom((preimage) => preimage !== '');
    expect(r).toMatchObject({ outcome: 'success', status: 200, paidMsat: 5_000, requests: 3 });
    expect(await r.response!.json()).toEqual({ ok: true });
    expect(spent).toBe(5_105);
    expect(seller.sent).toEqual(['without preimage', 'with preimage']);
    expect(seller.delivered()).toBe(1);
    const tokens = client.engine.tokens.list();
    expect(tokens.map((t) => [t.state, t.maxCalls, t.callsUsed])).toEqual([['paid', 1, 1]]);
  });

  it('is sent with the preimage once only: refused again, it ends token_rejected and the token is dropped', async () => {
    const { r, seller, client, spent } = await buyFrom(() => false);
    expect(r).toMatchObject({ outcome: 'token_rejected', status: 402, paidMsat: 5_000, requests: 3 });
    expect(spent).toBe(5_105);
    expect(seller.sent).toEqual(['without preimage', 'with preimage']);
    expect(seller.delivered()).toBe(0);
    expect(client.engine.tokens.list()).toEqual([]);
  });
});
