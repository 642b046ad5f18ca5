import { describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../infra/l402/index.js';
import { createSeller, type SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, inMemory, makeWorld, payInvoice } from '../paywall/helpers.js';

/**
 * A seller answers a method its route does not serve with 405 and an Allow
 * header naming the ones it does, never a 404 that reads as "no such route".
 */
async function sellerOf(archetype: SellerConfigInput['archetype']) {
  const w = makeWorld();
  const s = await createSeller(
    { archetype, quality: 1, latency: { kind: 'fixed', ms: 0 }, tiers: [{ kind: 'bundle', calls: 5 }] },
    { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') },
  );
  return { w, call: inMemory(s.app) };
}

/** The answer's status, Allow header and JSON body, for one exact assertion. */
async function answer(res: Response) {
  return { status: res.status, allow: res.headers.get('allow'), body: (await res.json()) as unknown };
}

const refused = (method: string, path: string, allow: string) => ({
  status: 405,
  allow,
  body: { error: 'method_not_allowed', message: `${method} ${path} is not allowed; use ${allow}` },
});

describe('seller methods', () => {
  it.each([
    ['compute', 'PUT', '/v1/compute', 'GET, HEAD, POST'],
    ['compute', 'DELETE', '/', 'GET, HEAD'],
    ['compute', 'POST', '/.well-known/l402.json', 'GET, HEAD'],
    ['data-feed', 'POST', '/v1/anomalies', 'GET, HEAD'],
    ['data-feed', 'PATCH', '/v1/anomalies', 'GET, HEAD'],
  ] as const)('a %s seller answers %s %s with 405 and Allow: %s', async (archetype, method, path, allow) => {
    const { call } = await sellerOf(archetype);
    expect(await answer(await call(path, { method }))).toEqual(refused(method, path, allow));
  });

  it('a GET with a token on a POST route is 405 with Allow: GET, HEAD, POST, and spends no call', async () => {
    const { w, call } = await sellerOf('compute');
    const { macaroon, invoice } = challengeOf(await call('/v1/compute'));
    const authorization = formatAuthorization({ macaroon, preimage: await payInvoice(w, w.buyer, invoice) });
    expect(await answer(await call('/v1/compute', { headers: { authorization } }))).toEqual({
      status: 405,
      allow: 'GET, HEAD, POST',
      body: {
        error: 'method_not_allowed',
        message:
          'GET /v1/compute with a token is not allowed; send the token with POST (a GET without one is a quote)',
      },
    });
    const served = await call('/v1/compute', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: [1, 2] }),
    });
    expect({ status: served.status, left: served.headers.get('L402-Calls-Remaining') }).toEqual({
      status: 200,
      left: '4',
    });
  });
});
