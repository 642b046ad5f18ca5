import { describe, expect, it } from 'vitest';
import { decodeInvoice } from '../../infra/lightning/bolt11.js';
import { createSeller } from '../../services/sellers/index.js';
import type { SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, json, makeWorld, payInvoice } from '../paywall/helpers.js';
import type { World } from '../paywall/helpers.js';

const base: SellerConfigInput = {
  archetype: 'data-feed',
  price: { kind: 'fixed', msat: 1_000 },
  latency: { kind: 'fixed', ms: 0 },
};

async function make(w: World, adversarial: SellerConfigInput['adversarial']) {
  return createSeller(
    { ...base, adversarial },
    { node: w.seller, payeeNode: w.other, clock: w.clock, rng: w.rng.fork('adv') },
  );
}

/** Quotes, pays from the buyer, and calls once with the token; the clock runs until the call answers. */
async function payAndCall(
  w: World,
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
) {
  const { macaroon, invoice } = challengeOf(await app.request('/v1/anomalies'));
  const preimage = await payInvoice(w, w.buyer, invoice);
  const pending = Promise.resolve(
    app.request('/v1/anomalies', { headers: { authorization: `L402 ${macaroon}:${preimage}` } }),
  );
  await w.clock.runUntilIdle();
  return pending;
}

describe('adversarial sellers', () => {
  it('overcharge: the invoice asks more than the listing and the manifest advertise', async () => {
    const w = makeWorld();
    const s = await make(w, { mode: 'overcharge', factor: 3 });
    expect(s.listing('http://x.test').tiers[0]!.priceMsat).toBe(1_000);
    expect(s.manifest('http://x.test').services[0]!.pricing.price_msat).toBe(1_000);
    const res = await s.app.request('/v1/anomalies');
    expect((await json(res)).priceMsat).toBe(3_000);
    expect(decodeInvoice(challengeOf(res).invoice).amountMsat).toBe(3_000);
  });

  it('wrong-payee: the invoice is signed by another node than the one listed', async () => {
    const w = makeWorld();
    const s = await make(w, { mode: 'wrong-payee' });
    expect(s.listing('http://x.test').nodePubkey).toBe(w.seller.pubkey);
    expect(s.manifest('http://x.test').provider.node_pubkey).toBe(w.seller.pubkey);
    const inv = decodeInvoice(challengeOf(await s.app.request('/v1/anomalies')).invoice);
    expect(inv.payee).toBe(w.other.pubkey);
    expect(inv.payee).not.toBe(s.listing('http://x.test').nodePubkey);
  });

  it('wrong-payee needs the other node, and says so', async () => {
    const w = makeWorld();
    await expect(
      createSeller(
        { ...base, adversarial: { mode: 'wrong-payee' } },
        { node: w.seller, clock: w.clock, rng: w.rng },
      ),
    ).rejects.toThrow(/payeeNode/);
  });

  it('no-delivery: takes the payment and answers 500', async () => {
    const w = makeWorld();
    const s = await make(w, { mode: 'no-delivery', answer: 'error' });
    const before = (await w.seller.balances()).localMsat;
    const res = await payAndCall(w, s.app);
    expect(res.status).toBe(500);
    expect((await w.seller.balances()).localMsat - before).toBe(1_000);
  });

  it('no-delivery: takes the payment and answers an empty 200', async () => {
    const w = makeWorld();
    const s = await make(w, { mode: 'no-delivery', answer: 'empty' });
    const res = await payAndCall(w, s.app);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('slow: delivers, but only after the configured delay on the clock', async () => {
    const w = makeWorld();
    const s = await make(w, { mode: 'slow', delayMs: 45_000 });
    const { macaroon, invoice } = challengeOf(await s.app.request('/v1/anomalies'));
    const preimage = await payInvoice(w, w.buyer, invoice);
    const t0 = w.clock.now();
    const pending = Promise.resolve(
      s.app.request('/v1/anomalies', { headers: { authorization: `L402 ${macaroon}:${preimage}` } }),
    );
    await w.clock.runUntilIdle();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(w.clock.now() - t0).toBe(45_000);
  });
});
