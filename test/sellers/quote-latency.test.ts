import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { isLabError } from '../../infra/errors.js';
import { createSeller, type SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, inMemory, makeWorld, payInvoice, type World } from '../paywall/helpers.js';

const PATH = '/v1/anomalies?region=eu&days=2';

async function seller(w: World, config: Partial<SellerConfigInput>) {
  return createSeller(
    { archetype: 'data-feed', latency: { kind: 'fixed', ms: 20 }, ...config },
    { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
  );
}

/** Sends a request and runs the virtual clock until it is answered; returns the answer and the virtual ms it took. */
async function timed(w: World, send: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const at = w.clock.now();
  let done = -1;
  const p = send().then((res) => ((done = w.clock.now()), res));
  await w.clock.runUntilIdle();
  const res = await p;
  return { res, ms: done - at };
}

describe('a seller’s quote latency', () => {
  it('holds each 402 for the drawn time to quote; the paid call takes only its service time', async () => {
    const w = makeWorld();
    const s = await seller(w, { quoteLatency: { kind: 'fixed', ms: 700 } });
    const fetch = inMemory(s.app);
    const quote = await timed(w, () => fetch(PATH));
    expect([quote.res.status, quote.ms]).toEqual([402, 700]);
    const { macaroon, invoice } = challengeOf(quote.res);
    const authorization = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
    const paid = await timed(w, () => fetch(PATH, { headers: { authorization } }));
    expect([paid.res.status, paid.ms]).toEqual([200, 20]);
  });

  it('draws a fresh time for every quote from the seller’s seeded stream', async () => {
    const w = makeWorld();
    const s = await seller(w, { quoteLatency: { kind: 'uniform', minMs: 100, maxMs: 900 } });
    const fetch = inMemory(s.app);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push((await timed(w, () => fetch(PATH))).ms);
    expect(times).toEqual([582, 200, 608]);
  });

  it('quotes at once without a quote latency (the default)', async () => {
    const w = makeWorld();
    const s = await seller(w, {});
    const quote = await timed(w, () => inMemory(s.app)(PATH));
    expect([quote.res.status, quote.ms]).toEqual([402, 0]);
  });

  it('refuses a quote latency that is not a distribution, naming the field', async () => {
    const w = makeWorld();
    const err = await seller(w, { quoteLatency: { kind: 'fixed', ms: -5 } as never }).catch(
      (e: unknown) => e,
    );
    expect(isLabError(err, 'invalid_seller_config')).toBe(true);
    await expect(seller(w, { quoteLatency: { kind: 'fixed', ms: -5 } as never })).rejects.toThrow(
      'quoteLatency',
    );
  });
});
