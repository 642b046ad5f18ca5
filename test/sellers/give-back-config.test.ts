/**
 * A seller config's `maxCallsGivenBack` reaches its paywall (what `npm run seller` and a scenario
 * build): a seller failing every call runs a 2-call bundle token 4 times by default, 3 times with
 * `maxCallsGivenBack: 1` and 2 with `0`, then refuses it (`quota_exhausted`).
 */
import { describe, expect, it } from 'vitest';
import { createSeller, type SellerConfigInput } from '../../services/sellers/index.js';
import { challengeOf, json, makeWorld, payInvoice } from '../paywall/helpers.js';

/** Buys one 2-call bundle of a data feed that fails every call, then calls with it until refused: each answer. */
async function callsUntilRefused(extra: Partial<SellerConfigInput>): Promise<string[]> {
  const w = makeWorld();
  const config: SellerConfigInput = {
    archetype: 'data-feed',
    price: { kind: 'fixed', msat: 1_000 },
    tiers: [{ kind: 'bundle', calls: 2 }],
    latency: { kind: 'fixed', ms: 0 },
    failureRate: 1,
    ...extra,
  };
  const seller = await createSeller(config, { node: w.seller, clock: w.clock, rng: w.rng.fork('seller') });
  const { macaroon, invoice } = challengeOf(await seller.app.request('/v1/anomalies'));
  const authorization = `L402 ${macaroon}:${await payInvoice(w, w.buyer, invoice)}`;
  const answers: string[] = [];
  for (let i = 0; i < 10; i++) {
    const pending = Promise.resolve(seller.app.request('/v1/anomalies', { headers: { authorization } }));
    await w.clock.runUntilIdle();
    const res = await pending;
    answers.push(`${res.status} ${res.headers.get('l402-calls-remaining')}`);
    if (res.status === 402) {
      answers[i] += ` ${(await json(res)).reason as string}`;
      break;
    }
  }
  return answers;
}

describe('seller config maxCallsGivenBack', () => {
  it('a 2-call token of a seller failing every call runs 4 times by default, 3 with maxCallsGivenBack 1, 2 with 0', async () => {
    expect(await callsUntilRefused({})).toEqual([
      '500 2',
      '500 2',
      '500 1',
      '500 0',
      '402 null quota_exhausted',
    ]);
    expect(await callsUntilRefused({ maxCallsGivenBack: 1 })).toEqual([
      '500 2',
      '500 1',
      '500 0',
      '402 null quota_exhausted',
    ]);
    expect(await callsUntilRefused({ maxCallsGivenBack: 0 })).toEqual([
      '500 1',
      '500 0',
      '402 null quota_exhausted',
    ]);
  });
});
