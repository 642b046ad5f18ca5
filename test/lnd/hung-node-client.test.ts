import { afterEach, describe, expect, it } from 'vitest';
import { createL402Client, MemoryTokenStore } from '../../agents/l402/index.js';
import { systemClock } from '../../infra/time/clock.js';
import { HASH, HASH_B64URL, startHostileLnd, type HostileLnd } from './hostile-lnd.js';

let peer: HostileLnd | undefined;
afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

describe('an L402 client whose LND takes requests and never answers', () => {
  it('ends a purchase held by a pending token as payment_timeout within the node’s 1 s callTimeoutMs, sending the seller nothing and keeping the token pending', async () => {
    peer = await startHostileLnd(() => undefined);
    const node = peer.node({ limits: { callTimeoutMs: 1_000 } });
    const tokens = new MemoryTokenStore();
    // A payment whose fate was unknown when its purchase ended (a crash, a payment_timeout).
    await tokens.put({
      origin: 'http://seller.test',
      pathPrefix: '/v1/quote',
      macaroon: 'AgE',
      paymentHash: HASH,
      state: 'pending',
      createdAt: 0,
      callsUsed: 0,
    });
    let sellerRequests = 0;
    const fetchSeller = (async () => {
      sellerRequests++;
      return new Response('{}');
    }) as typeof fetch;
    const client = createL402Client({ node, clock: systemClock, tokens, fetch: fetchSeller });

    const t0 = performance.now();
    const r = await client.purchase('http://seller.test/v1/quote');
    const ms = performance.now() - t0;

    expect(r).toMatchObject({
      outcome: 'payment_timeout',
      reason: `an earlier payment ${HASH} is still in flight`,
      paidMsat: 0,
    });
    expect(ms).toBeLessThan(5_000);
    expect(sellerRequests).toBe(0);
    expect(tokens.list().map((t) => [t.state, t.paymentHash])).toEqual([['pending', HASH]]);
    expect(peer.requests).toEqual([`GET /v2/router/track/${HASH_B64URL}?no_inflight_updates=false`]);
  });
});
