/**
 * A sub-agent's call whose held token is usable but does not allow the request (its methods or
 * path-prefix caveat excludes it) ends at once, `policy_denied`, naming the caveat. Before, the
 * spare lookup found the same token by origin and path alone, took it for the next one, and the
 * call went round for ever on promise awaits alone: no timer ran, the process hung.
 */
import { describe, expect, it } from 'vitest';
import { createL402Client, MemoryTokenStore } from '../../agents/l402/index.js';
import { createSubAgent, delegate, type DelegationLimits } from '../../agents/resale/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket } from './reseller-market.js';

/** Most token lookups a test's calls make; a call that goes round without end meets it and throws. */
const MAX_LOOKUPS = 1_000;

/** A memory store that throws once looked up `MAX_LOOKUPS` times. */
class BoundedLookups extends MemoryTokenStore {
  lookups = 0;
  override get(origin: string, path: string, method?: string) {
    if (++this.lookups > MAX_LOOKUPS) throw new Error(`${this.lookups} token lookups: the call went round`);
    return super.get(origin, path, method);
  }
}

/** A sub-agent holding copies of a parent's 6-call pass of the origin, each with `limits`. */
async function holding(...copies: Omit<DelegationLimits, 'validForSec'>[]) {
  const { m, origin } = resaleMarket({ subs: 0 });
  const parent = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const pass = await drive(m.clock, parent.acquire(origin.url));
  const token = {
    origin: new URL(origin.url).origin,
    macaroon: pass.token!.macaroon,
    preimage: pass.token!.preimage!,
    service: 'origin',
  };
  const tokens = new BoundedLookups();
  const node = m.addNode('sub-x', { toHub: true });
  const sub = createSubAgent({ name: 'sub-x', node, fetch: m.fetch, clock: m.clock, tokens });
  for (const c of copies) await sub.receive(delegate(token, { ...c, validForSec: 600 }, { clock: m.clock }));
  const call = async (url: string, init?: RequestInit) => {
    const r = await drive(m.clock, sub.call(url, init));
    await r.response?.body?.cancel();
    return [r.outcome, r.requests, r.reason];
  };
  return { origin, call, servedBefore: origin.served };
}

describe('a sub-agent call the token it holds does not allow ends at once, naming the caveat', () => {
  it('a POST with a GET-only token: policy_denied, no request sent, the reason names origin_methods; a GET then succeeds', async () => {
    const { origin, call, servedBefore } = await holding({ id: 'g', calls: 2, methods: ['GET'] });

    expect(await call(origin.url, { method: 'POST' })).toEqual([
      'policy_denied',
      0,
      'no token held allows POST http://origin.test/v1/data: the token held for / has calls left but its origin_methods [GET] do not include POST; a sub-agent calls only with the tokens it holds',
    ]);
    expect((await call(origin.url))[0]).toBe('success');
    expect(origin.served - servedBefore).toBe(1);
  });

  it('a path-bound token called at /v1/data%2Fx: policy_denied, no request sent, the reason names origin_path_prefix; /v1/data then succeeds', async () => {
    const { origin, call, servedBefore } = await holding({ id: 'p', calls: 2, pathPrefix: '/v1' });

    expect(await call('http://origin.test/v1/data%2Fx')).toEqual([
      'policy_denied',
      0,
      'no token held allows GET http://origin.test/v1/data%2Fx: the token held for /v1 has calls left but its origin_path_prefix /v1 does not cover /v1/data%2Fx; a sub-agent calls only with the tokens it holds',
    ]);
    expect((await call(origin.url))[0]).toBe('success');
    expect(origin.served - servedBefore).toBe(1);
  });

  it('a GET-only spare is not adopted for a POST: the 1-call token serves one POST, the next POST is quota_exhausted, and the spare then serves a GET', async () => {
    const { origin, call, servedBefore } = await holding(
      { id: 'any', calls: 1 },
      { id: 'get', calls: 1, methods: ['GET'] },
    );

    const outcomes = [
      await call(origin.url, { method: 'POST' }),
      await call(origin.url, { method: 'POST' }),
      await call(origin.url),
    ];

    expect(outcomes.map(([outcome, requests]) => [outcome, requests])).toEqual([
      ['success', 1],
      ['quota_exhausted', 0],
      ['success', 1],
    ]);
    expect(origin.served - servedBefore).toBe(2);
  });
});
