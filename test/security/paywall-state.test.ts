import { describe, expect, it } from 'vitest';
import { attenuate, caveats, formatAuthorization } from '../../infra/l402/index.js';
import { MemoryQuotaStore, l402Paywall } from '../../services/paywall/index.js';
import {
  appWith,
  buy,
  challengeOf,
  inMemory,
  json,
  makeWorld,
  payInvoice,
  type World,
} from '../paywall/helpers.js';

const LIFETIME_SEC = 3600;

/** A 5,000 msat weather route whose tokens live an hour, counting calls in `quotaStore`. */
const weatherApp = (w: World, quotaStore: MemoryQuotaStore, extra: { maxCalls?: number } = {}) =>
  appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 5_000,
      tokenLifetimeSec: LIFETIME_SEC,
      quotaStore,
      ...extra,
    }),
  );

describe('a paid token cannot make the seller keep unbounded state', () => {
  it('counts calls for at most 1,024 attenuated copies of a time pass, and forgets them once the token expired', async () => {
    const w = makeWorld();
    const quotaStore = new MemoryQuotaStore();
    // A time pass: no quota of its own, so every copy the buyer attenuates with max_calls is a counter of its own.
    const app = weatherApp(w, quotaStore);
    const { challenge, authorization } = await buy(w, inMemory(app), '/v1/data');
    const preimage = authorization.slice(authorization.lastIndexOf(':') + 1);
    const statuses: number[] = [];
    let refusal: unknown;
    for (let i = 0; i < 1030; i++) {
      const copy = attenuate(challenge.macaroon, [caveats.maxCalls('weather', 5000 - i)]);
      const res = await app.request('/v1/data', {
        headers: { authorization: formatAuthorization({ macaroon: copy, preimage }) },
      });
      statuses.push(res.status);
      if (res.status === 403) refusal = await json(res);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(1024);
    expect(statuses.filter((s) => s === 403)).toHaveLength(6);
    expect(refusal).toMatchObject({
      error: 'too_many_counters',
      message: expect.stringMatching(
        /^token [0-9a-f]{16}… already counts calls for 1024 attenuated copies; use one of those, or buy another$/,
      ),
    });
    expect(quotaStore.size).toBe(1024);

    // Past the token's valid_until its counters go at the next sweep (one pass per 1,024 calls).
    const after = w.clock.now() + LIFETIME_SEC * 1000;
    for (let i = 0; i < 1024; i++) quotaStore.consume({ tokenId: 'other', quotas: [] }, after);
    expect(quotaStore.size).toBe(0);
  });

  it('keeps a 1-call token spent when a copy with an earlier valid_until made its first call and expired: 1 call for 1 payment, not one per sweep', async () => {
    const w = makeWorld();
    const quotaStore = new MemoryQuotaStore();
    const app = weatherApp(w, quotaStore, { maxCalls: 1 });
    // Paid for, and no call made with it yet.
    const challenge = challengeOf(await app.request('/v1/data'));
    const preimage = await payInvoice(w, w.buyer, challenge.invoice);
    const send = (macaroon: string) =>
      app.request('/v1/data', { headers: { authorization: formatAuthorization({ macaroon, preimage }) } });
    // The holder's own copy, valid 1 s more than now, makes the token's first call.
    const shortCopy = attenuate(challenge.macaroon, [
      caveats.validUntil('weather', Math.floor(w.clock.now() / 1000) + 1),
    ]);
    expect((await send(shortCopy)).status).toBe(200);
    // The copy expires; a sweep runs (one pass per 1,024 calls) while the token itself is valid for an hour.
    await w.clock.advance(2_000);
    for (let i = 0; i < 1024; i++) quotaStore.consume({ tokenId: 'other', quotas: [] }, w.clock.now());
    const again = await send(challenge.macaroon);
    expect([again.status, (await json(again)).reason]).toEqual([402, 'quota_exhausted']);
    expect(quotaStore.size).toBe(1);
  });
});
