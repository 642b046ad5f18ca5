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

describe('one holder of a slice cannot use up the counters its sibling slices need: its copies take their calls from its slice', () => {
  it("a 20-call slice holder's first copy stacking 6 limits (19 … 14) takes 19 of its 20 calls, the next such copy is 402 quota_exhausted, and the sibling slice is still served", async () => {
    const { quotaStore, send, attacker, sibling } = await bundleWithSlices();
    const results: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await send(floodCopy(attacker, i, [19, 18, 17, 16, 15, 14]));
      results.push(`${r.status} ${r.body.reason ?? ''}`.trim());
    }

    expect(results).toEqual(['200', ...Array(19).fill('402 quota_exhausted')]);
    // The bundle, the attacker's slice, the 6 counters of its first copy.
    expect(quotaStore.size).toBe(8);
    expect((await send(sibling)).status).toBe(200);
    expect(quotaStore.size).toBe(9);
  });

  it('a 100-call slice holder gets 100 one-call copies under its slice (each takes a call of it), the 101st is 402 quota_exhausted, and the sibling slice is still served', async () => {
    const { quotaStore, send, attacker, sibling } = await bundleWithSlices({
      bundleCalls: 200,
      attackerCalls: 100,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await send(floodCopy(attacker, i, [1]))).status);
    const refused = await send(floodCopy(attacker, 100, [1]));

    expect(statuses).toEqual(Array(100).fill(200));
    expect([refused.status, refused.body.reason, refused.body.message]).toEqual([
      402,
      'quota_exhausted',
      "this copy's first call takes its 1 call from the token it was attenuated from, which has 0 of 100 left (the others used or handed down to other copies); buy another token",
    ]);
    expect((await send(sibling)).status).toBe(200);
    // The bundle, the attacker's slice, its 100 copies, the sibling.
    expect(quotaStore.size).toBe(103);
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
