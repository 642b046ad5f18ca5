import { describe, expect, it } from 'vitest';
import { Macaroon, attenuate, caveats, formatAuthorization, formatCaveat } from '../../infra/l402/index.js';
import { MemoryQuotaStore, l402Paywall } from '../../services/paywall/index.js';
import { appWith, buy, inMemory, json, makeWorld } from '../paywall/helpers.js';

/**
 * A 100-call bundle of the `weather` service and two slices a reseller cut
 * from it: the attacker's (20 calls, or `attackerCalls`) and its sibling's
 * (2 calls). Every copy shares the bundle's token id.
 */
async function bundleWithSlices({ bundleCalls = 100, attackerCalls = 20 } = {}) {
  const w = makeWorld();
  const quotaStore = new MemoryQuotaStore();
  const app = appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 5_000,
      maxCalls: bundleCalls,
      quotaStore,
    }),
  );
  // The reseller's purchase: the bundle's first call (its counter is made here).
  const { challenge, authorization } = await buy(w, inMemory(app), '/v1/data');
  const preimage = authorization.slice(authorization.lastIndexOf(':') + 1);
  const send = async (macaroon: string) => {
    const res = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon, preimage }) },
    });
    return { status: res.status, body: await json(res) };
  };
  const slice = (calls: number, id: string) =>
    attenuate(challenge.macaroon, [
      formatCaveat({ condition: 'slice_id', value: id }),
      caveats.maxCalls('weather', calls),
    ]);
  return { quotaStore, send, attacker: slice(attackerCalls, 'a'), sibling: slice(2, 's') };
}

/** The attacker's copy for its call `i`: an unknown caveat makes every copy's keys new, then `limits`. */
const floodCopy = (slice: string, i: number, limits: number[]) =>
  attenuate(slice, [
    formatCaveat({ condition: 'nonce', value: String(i) }),
    ...limits.map((n) => caveats.maxCalls('weather', n)),
  ]);

describe('one holder of a slice cannot use up the counters its sibling slices need', () => {
  it('a 20-call slice holder makes 20 calls, each adding 6 counters under its slice (123 counters in all), and the sibling slice is still served', async () => {
    const { quotaStore, send, attacker, sibling } = await bundleWithSlices();
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push((await send(floodCopy(attacker, i, [19, 18, 17, 16, 15, 14]))).status);

    expect(statuses).toEqual(Array(20).fill(200));
    expect(quotaStore.size).toBe(122);
    expect((await send(sibling)).status).toBe(200);
    expect(quotaStore.size).toBe(123);
  });

  it('a slice holder gets 64 copies with limits of their own under its slice, the 65th is 403 too_many_counters, and the sibling slice is still served', async () => {
    const { quotaStore, send, attacker, sibling } = await bundleWithSlices({
      bundleCalls: 200,
      attackerCalls: 100,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 64; i++) statuses.push((await send(floodCopy(attacker, i, [50]))).status);
    const refused = await send(floodCopy(attacker, 64, [50]));

    expect(statuses).toEqual(Array(64).fill(200));
    expect([refused.status, refused.body.error]).toEqual([403, 'too_many_counters']);
    expect(refused.body.message).toMatch(
      /^64 copies attenuated from the same copy of token [0-9a-f]{16}… already have call limits of their own; use one of those$/,
    );
    expect((await send(sibling)).status).toBe(200);
    // The bundle, the attacker's slice, its 64 copies, the sibling.
    expect(quotaStore.size).toBe(67);
  });

  it('stacked max_calls caveats with the slice own limit add no counter: a slice with 6 more weather_max_calls=2 makes 2 counters in all', async () => {
    const { quotaStore, send, sibling } = await bundleWithSlices();
    const stacked = attenuate(
      sibling,
      Array.from({ length: 6 }, () => caveats.maxCalls('weather', 2)),
    );

    expect((await send(stacked)).status).toBe(200);
    expect(quotaStore.size).toBe(2);
    expect((await send(sibling)).status).toBe(200);
    const third = await send(stacked);
    expect([third.status, third.body.reason]).toEqual([402, 'quota_exhausted']);
  });

  it('a macaroon with 9 weather_max_calls caveats is refused as 402 invalid_caveat before any counter is made', async () => {
    const { quotaStore, send, sibling } = await bundleWithSlices();
    // Appended without attenuate's check (attenuate refuses the 9th itself).
    let raw = Macaroon.fromBase64(sibling);
    for (let i = 0; i < 7; i++) raw = raw.addFirstPartyCaveat('weather_max_calls=2');
    const refused = await send(raw.toBase64());

    expect([refused.status, refused.body.reason, refused.body.message]).toEqual([
      402,
      'invalid_caveat',
      'weather_max_calls: more than 8 of these caveats in one token; attenuate from a copy with fewer',
    ]);
    expect(quotaStore.size).toBe(1);
  });
});
