import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { delegate, type SubAgent } from '../../agents/resale/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { drive } from '../buyer/market.js';
import { resaleMarket, SLICE_URL } from './reseller-market.js';

const OTHER_URL = 'http://origin.test/v1/other';

/** The market with a parent holding a 6-call pass of the origin, and a second paid service (`other`) on the origin's host. */
async function withParent(subs = 1) {
  const market = resaleMarket({ subs, subBudgetMsat: 1_000_000 });
  const { m, origin } = market;
  const rng = m.rng.fork('other');
  const other = l402Paywall({
    node: origin.node,
    minter: createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) }),
    clock: m.clock,
    service: 'other',
    price: 1_000,
  });
  origin.app.get('/v1/other', other, (c) => c.json({ ok: true }));
  const parent = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const pass = await drive(m.clock, parent.acquire(origin.url));
  const token = {
    origin: 'http://origin.test',
    macaroon: pass.token!.macaroon,
    preimage: pass.token!.preimage!,
    service: 'origin',
  };
  /** A copy of the pass with `calls` calls, named `id`. */
  const handDown = (id: string, calls: number) =>
    delegate(token, { id, calls, validForSec: 600 }, { clock: m.clock });
  return { ...market, sub: market.agents[0]!, handDown };
}

async function calls(clock: Parameters<typeof drive>[0], sub: SubAgent, url: string, n: number) {
  const outcomes: string[] = [];
  for (let i = 0; i < n; i++) outcomes.push((await drive(clock, sub.call(url))).outcome);
  return outcomes;
}

/** The outcomes of `n` calls served, then one refused as the tokens are used up. */
const servedThenSpent = (n: number) => [...Array.from({ length: n }, () => 'success'), 'quota_exhausted'];

describe('a sub-agent keeps every token it holds until it is used', () => {
  it('a token received while a received token of the same scope has calls waits as a spare: 1 + 2 calls succeed, then quota_exhausted', async () => {
    const { m, origin, sub, handDown } = await withParent();
    expect(await sub.receive(handDown('a', 1))).toMatchObject({ pathPrefix: '/', maxCalls: 1 });
    expect(await sub.receive(handDown('b', 2))).toBeUndefined();
    expect(await calls(m.clock, sub, origin.url, 4)).toEqual(servedThenSpent(3));
  });

  it("a parent's token received after a bought slice serves the origin once the slice's 2 calls are used: 3 successes, then quota_exhausted", async () => {
    const { m, origin, sub, handDown } = await withParent();
    expect((await drive(m.clock, sub.buySlice(SLICE_URL))).result.outcome).toBe('success');
    await sub.receive(handDown('p1', 1));
    expect(await calls(m.clock, sub, origin.url, 4)).toEqual(servedThenSpent(3));
  });

  it("slices are held for their URL's path: a call to the host's other paid route sends none, and all 4 calls of two slices succeed at /v1/data", async () => {
    const { m, origin, sub } = await withParent();
    for (let i = 0; i < 2; i++)
      expect((await drive(m.clock, sub.buySlice(SLICE_URL))).result.outcome).toBe('success');
    const held = sub.client.tokens.list().filter((t) => t.origin === 'http://origin.test');
    expect(held.map((t) => `${t.pathPrefix} ${t.callsUsed}/${t.maxCalls}`)).toEqual(['/v1/data 0/2']);
    expect(await calls(m.clock, sub, OTHER_URL, 1)).toEqual(['policy_denied']);
    expect(await calls(m.clock, sub, origin.url, 5)).toEqual(servedThenSpent(4));
  });

  it("a token the host's other paid route refuses (unknown_token, not spent) is not followed by the spare: the spare then serves /v1/data", async () => {
    const { m, origin, sub, handDown } = await withParent();
    await sub.receive(handDown('a', 1));
    await sub.receive(handDown('b', 1));
    const refused = await drive(m.clock, sub.call(OTHER_URL));
    expect(refused.outcome).toBe('token_refused');
    expect(refused.reason).toBe('the seller refused a held token with calls left (HTTP 402 unknown_token)');
    expect(await calls(m.clock, sub, origin.url, 2)).toEqual(servedThenSpent(1));
  });

  it('a token the origin refuses as used up (another holder of the same copy spent its call) is followed by the spare, which serves', async () => {
    const { m, origin, agents, handDown } = await withParent(2);
    const [sub, other] = [agents[0]!, agents[1]!];
    const shared = handDown('shared', 1);
    await sub.receive(shared);
    await sub.receive(handDown('spare', 1));
    await other.receive(shared);
    expect(await calls(m.clock, other, origin.url, 1)).toEqual(['success']);
    // By its own count the sub-agent's copy has its call left: the origin's counter says otherwise.
    expect(await calls(m.clock, sub, origin.url, 2)).toEqual(servedThenSpent(1));
  });
});

describe('buySlice with a URL that is not absolute', () => {
  it.each([
    ['slice', 'reseller.test/slice', 'http://origin.test/v1/data'],
    ['check', SLICE_URL, 'origin.test/v1/data'],
  ])(
    'a %s URL without a scheme ends as bad_request before anything is sent: 0 msat paid',
    async (what, url, checkUrl) => {
      const { m, reseller, agents, subNodes } = resaleMarket({ subBudgetMsat: 1_000_000 });
      const before = await m.balance(subNodes[0]!);
      const b = await drive(m.clock, agents[0]!.buySlice(url, {}, { url: checkUrl }));
      const bad = what === 'slice' ? url : checkUrl;
      expect(b.result).toMatchObject({
        outcome: 'bad_request',
        reason: `the ${what} URL "${bad}" is not an absolute URL: nothing was bought; pass one such as http://host/path`,
        paidMsat: 0,
        feeMsat: 0,
        requests: 0,
      });
      expect(before - (await m.balance(subNodes[0]!))).toBe(0);
      expect(reseller.stats().slicesDelivered).toBe(0);
    },
  );
});
