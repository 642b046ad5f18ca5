/**
 * A HEAD is a GET whose body is dropped (Hono's rule): with a valid token on a paid GET route it runs
 * the handler and spends a call, as the GET would (docs/services.md). Pinned so the docs stay true.
 */
import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { createSeller } from '../../services/sellers/index.js';
import { challengeOf, makeWorld, payInvoice } from '../paywall/helpers.js';

describe('a HEAD with a valid token on a paid GET route', () => {
  it('answers 200 with no body and spends one of the bundle’s 3 calls (2 left), as a GET does (1 left)', async () => {
    const w = makeWorld();
    const seller = await createSeller(
      {
        archetype: 'data-feed',
        price: { kind: 'fixed', msat: 10_000 },
        tiers: [{ kind: 'bundle', calls: 3 }],
      },
      { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
    );
    const path = '/v1/anomalies';
    const { macaroon, invoice } = challengeOf(await seller.app.request(path));
    const authorization = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
    // The seller answers after its latency, on the virtual clock.
    const send = async (init: RequestInit) => {
      const answer = Promise.resolve(seller.app.request(path, init));
      await w.clock.runUntilIdle();
      return answer;
    };
    const head = await send({ method: 'HEAD', headers: { authorization } });
    expect([head.status, head.headers.get('L402-Calls-Remaining'), await head.text()]).toEqual([
      200,
      '2',
      '',
    ]);
    const get = await send({ headers: { authorization } });
    expect([get.status, get.headers.get('L402-Calls-Remaining')]).toEqual([200, '1']);
  });
});
