/**
 * A pay-on-success purchase whose payment is still in flight when the node's pay call gives up
 * (`payTimeoutMs`) while its held call is delivered: the seller ran the handler and counted the
 * call, then settled. The pending token counts that call, so the token recovery completes has
 * the calls the seller has left, not one more. Real paywall, macaroons and hold invoices on the
 * simnet; a 5,000 msat payment through the hub costs 105 msat in fees.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { l402Paywall, type PaywallEvent } from '../../services/paywall/index.js';
import { drive, makeMarket, type Market } from './market.js';

const PRICE_MSAT = 5_000;
const FEE_MSAT = 105;
const URL = 'http://slow.test/v1/job';

/** A pay-on-success seller of 1-call tokens whose handler takes 3 s on its first run (then answers at once). */
function slowFirstRun(m: Market) {
  const node = m.addNode('slow');
  const rng = m.rng.fork('slow');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const seller = { runs: 0, events: [] as PaywallEvent[] };
  const paywall = l402Paywall({
    node,
    minter,
    clock: m.clock,
    service: 'job',
    price: PRICE_MSAT,
    maxCalls: 1,
    payOnSuccess: true,
    secrets: insecureSeededSecrets(rng.fork('preimages')),
    onEvent: (e) => seller.events.push(e),
  });
  const app = new Hono();
  app.get('/v1/job', paywall, async (c) => {
    if (++seller.runs === 1) await m.clock.sleep(3_000);
    return c.json({ result: 'ok' });
  });
  m.mount('slow.test', app);
  return seller;
}

describe('a pay-on-success payment recovered after its held call was delivered', () => {
  it('completes a token that counts the delivered call (1 of 1 used): the next purchase buys a new token (5,000 msat, 2 requests) instead of sending the spent one to a refusal; 10,210 msat spent in all', async () => {
    const m = makeMarket();
    const seller = slowFirstRun(m);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, payTimeoutMs: 1_000 });
    const before = await m.balance(m.buyer);

    const first = await drive(m.clock, client.purchase(URL, {}, { payOnSuccess: true }));
    expect([first.outcome, first.status, first.paidMsat, first.reason]).toEqual([
      'success',
      200,
      0,
      'payment still in flight; the token stays pending and is recovered by payment hash',
    ]);
    expect(client.tokens.list().map((t) => [t.state, t.callsUsed, t.maxCalls])).toEqual([['pending', 1, 1]]);
    expect(await drive(m.clock, client.recover())).toEqual({ completed: 1, dropped: 0, inFlight: 0 });
    expect(client.tokens.list().map((t) => [t.state, t.callsUsed, t.maxCalls])).toEqual([['paid', 1, 1]]);

    const next = await drive(m.clock, client.purchase(URL, {}, { payOnSuccess: true }));
    expect([next.outcome, next.paidMsat, next.feeMsat, next.tokenReused, next.requests]).toEqual([
      'success',
      PRICE_MSAT,
      FEE_MSAT,
      false,
      2,
    ]);
    expect(seller.events.filter((e) => e.type === 'rejected')).toEqual([]);
    expect(seller.runs).toBe(2);
    expect(before - (await m.balance(m.buyer))).toBe(2 * (PRICE_MSAT + FEE_MSAT));
  });
});
