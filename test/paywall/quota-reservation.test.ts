import { describe, expect, it } from 'vitest';
import { attenuate, caveats, formatAuthorization, formatCaveat } from '../../infra/l402/index.js';
import { MemoryQuotaStore, l402Paywall } from '../../services/paywall/index.js';
import { appWith, buy, inMemory, json, makeWorld } from './helpers.js';

/**
 * A `maxCalls`-call weather bundle bought (its purchase is its first call) and a way to call with
 * copies of it: `copy(id, calls, extra)` attenuates a copy named `id` with `calls` calls of its own.
 */
async function boughtBundle(maxCalls: number, tokenLifetimeSec?: number) {
  const w = makeWorld();
  const quotaStore = new MemoryQuotaStore();
  const app = appWith(
    l402Paywall({
      ...w,
      node: w.seller,
      service: 'weather',
      price: 5_000,
      maxCalls,
      quotaStore,
      ...(tokenLifetimeSec ? { tokenLifetimeSec } : {}),
    }),
  );
  const { challenge, authorization, res } = await buy(w, inMemory(app), '/v1/data');
  const preimage = authorization.slice(authorization.lastIndexOf(':') + 1);
  const copy = (id: string, calls: number, extra: string[] = []) =>
    attenuate(challenge.macaroon, [
      formatCaveat({ condition: 'copy_id', value: id }),
      ...extra,
      caveats.maxCalls('weather', calls),
    ]);
  /** One call with `macaroon`: `status calls-remaining`, and the refusal's message when there is one. */
  const send = async (macaroon: string) => {
    const r = await app.request('/v1/data', {
      headers: { authorization: formatAuthorization({ macaroon, preimage }) },
    });
    const seen = `${r.status} ${r.headers.get('L402-Calls-Remaining')}`;
    return { seen, message: r.status === 200 ? undefined : (await json(r)).message };
  };
  const purchase = `${res.status} ${res.headers.get('L402-Calls-Remaining')}`;
  return { w, quotaStore, macaroon: challenge.macaroon, copy, send, purchase };
}

describe("a copy's first call takes its whole limit from the token it was attenuated from", () => {
  it('a 6-call bundle cut into three 2-call copies after 1 call: the first two copies hold 2 calls each, the third is refused at its first call, and every call sold is served', async () => {
    const { macaroon, copy, send, purchase } = await boughtBundle(6);
    const [a, b, c] = [copy('a', 2), copy('b', 2), copy('c', 2)];

    const seen = [purchase];
    // First calls: a and b take 2 calls each of the bundle's 5 left; c's 2 do not fit in the 1 left.
    for (const m of [a, b, c]) seen.push((await send(m)).seen);
    const refused = await send(c);
    // The bundle's holder has the 1 call nobody took; then a's and b's second calls.
    for (const m of [macaroon, a, b, a, macaroon]) seen.push((await send(m)).seen);

    expect(seen).toEqual([
      '200 5',
      '200 1',
      '200 1',
      '402 null',
      '200 0',
      '200 0',
      '200 0',
      '402 null',
      '402 null',
    ]);
    expect(refused.message).toBe(
      "this copy's first call takes its 2 calls from the token it was attenuated from, which has 1 of 6 left (the others used or handed down to other copies); use a copy of at most 1, or buy another token",
    );
  });

  it('a 3-call copy of a 5-call bundle keeps its calls after it expired unused: a 2-call copy is refused, a 1-call copy is served', async () => {
    const { w, copy, send, purchase } = await boughtBundle(5, 3600);
    const shortLived = copy('short', 3, [
      caveats.validUntil('weather', Math.floor(w.clock.now() / 1000) + 1),
    ]);

    const seen = [purchase, (await send(shortLived)).seen];
    await w.clock.advance(2_000);
    for (const m of [shortLived, copy('two', 2), copy('one', 1), copy('one', 1)])
      seen.push((await send(m)).seen);

    // The expired copy is refused as expired; its 2 unused calls stay taken from the bundle.
    expect(seen).toEqual(['200 4', '200 2', '402 null', '402 null', '200 0', '402 null']);
  });

  it('a 1,100-call bundle serves 1,099 one-call copies after its purchase (1,100 counters, over the 1,024 a time pass keeps), then refuses the next as quota_exhausted', async () => {
    const { quotaStore, copy, send, purchase } = await boughtBundle(1_100);
    const statuses = new Map<string, number>();
    for (let i = 0; i < 1_100; i++) {
      const { seen } = await send(copy(`c${i}`, 1));
      statuses.set(seen, (statuses.get(seen) ?? 0) + 1);
    }

    expect(purchase).toBe('200 1099');
    expect(Object.fromEntries(statuses)).toEqual({ '200 0': 1_099, '402 null': 1 });
    expect(quotaStore.size).toBe(1_100);
  });
});
