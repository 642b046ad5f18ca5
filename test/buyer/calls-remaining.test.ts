import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider } from '../../agents/buyer/index.js';
import {
  createL402Client,
  MemoryTokenStore,
  type PurchaseResult,
  type StoredToken,
} from '../../agents/l402/index.js';
import { makeMarket, type SellerSpec } from './market.js';

/**
 * The buyer's count of a held token's calls against the seller's `L402-Calls-Remaining`: the
 * header may lower the calls the buyer thinks it has left (a 5xx past the paywall's give-back
 * bound used its call), never raise them, and anything but a count is ignored.
 */

/** A market with one seller, a client whose requests are counted, and the seller's refusals. */
function oneSeller(spec: Omit<SellerSpec, 'name' | 'priceMsat'>) {
  const m = makeMarket();
  const s = m.addSeller({ name: 'flaky', priceMsat: 5_000, ...spec });
  const sent = { requests: 0 };
  const counted: typeof fetch = (input, init) => {
    sent.requests++;
    return m.fetch(input, init);
  };
  const client = createL402Client({ node: m.buyer, fetch: counted, clock: m.clock });
  const refusals = () => s.events.filter((e) => e.type === 'rejected').map((e) => e.reason);
  return { m, s, sent, client, refusals };
}

/** Each purchase as [outcome, status, reused, paid msat, requests]. */
const rows = (results: PurchaseResult[]) =>
  results.map((r) => [r.outcome, r.status, r.tokenReused, r.paidMsat, r.requests]);

/** `n` purchases in turn, and the calls the buyer counts used on its token after each. */
async function purchases(client: ReturnType<typeof createL402Client>, url: string, n: number) {
  const results: PurchaseResult[] = [];
  const used: number[] = [];
  for (let i = 0; i < n; i++) {
    results.push(await client.purchase(url));
    used.push(client.tokens.list()[0]!.callsUsed);
  }
  return { results, used };
}

describe("a 5xx past the seller's give-back bound uses its call on the buyer's count too", () => {
  it('a 1-call token with maxCallsGivenBack 1 answered 500 twice: the second 500 used the call (Calls-Remaining 0), so the next purchase buys at once: 5 requests, 2 payments of 5,105 msat, no quota_exhausted', async () => {
    const { m, s, sent, client, refusals } = oneSeller({ maxCalls: 1, maxCallsGivenBack: 1, failOn: [1, 2] });
    const before = await m.balance(m.buyer);

    const { results } = await purchases(client, s.url, 3);
    expect(rows(results)).toEqual([
      ['not_delivered', 500, false, 5_000, 2],
      ['not_delivered', 500, true, 0, 1],
      ['success', 200, false, 5_000, 2],
    ]);
    expect(sent.requests).toBe(5);
    expect(refusals()).toEqual([]);
    expect(results[2]!.paymentHash).not.toBe(results[0]!.paymentHash);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[1, 1]]);
    expect(before - (await m.balance(m.buyer))).toBe(10_210);
    expect([s.runs, s.served]).toEqual([3, 1]);
  });

  it('a 2-call bundle with maxCallsGivenBack 1 whose 2nd and 3rd runs fail: the buyer counts 1, 1, then 2 calls used and buys its next token without being refused', async () => {
    const { s, sent, client, refusals } = oneSeller({ maxCalls: 2, maxCallsGivenBack: 1, failOn: [2, 3] });
    const { results, used } = await purchases(client, s.url, 4);
    expect(rows(results)).toEqual([
      ['success', 200, false, 5_000, 2],
      ['not_delivered', 500, true, 0, 1],
      ['not_delivered', 500, true, 0, 1],
      ['success', 200, false, 5_000, 2],
    ]);
    expect(used).toEqual([1, 1, 2, 1]);
    expect(sent.requests).toBe(6);
    expect(refusals()).toEqual([]);
  });

  it('the buyer graph: after a 1-call token with maxCallsGivenBack 1 is answered 500 twice (tasks 1 and 2), task 3 buys a new token at once: no token_refused row', async () => {
    const m = makeMarket();
    m.addSeller({ name: 'flaky', priceMsat: 5_000, maxCalls: 1, maxCallsGivenBack: 1, failOn: [1, 2] });
    const registry = await m.registry();
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
    const agent = createBuyerAgent({
      name: 'buyer-1',
      registry,
      client,
      decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
      clock: m.clock,
    });
    const rowsOf = [];
    for (const id of ['t1', 't2', 't3']) {
      const r = await agent.runTask({ id, capability: 'data', valueMsat: 100_000, calls: 1 });
      rowsOf.push(r.purchases.map((p) => [p.outcome, p.tokenReused, p.paidMsat, p.requests]));
    }
    expect(rowsOf).toEqual([
      [['not_delivered', false, 5_000, 2]],
      [['not_delivered', true, 0, 1]],
      [['success', false, 5_000, 2]],
    ]);
  });
});

describe("the seller's L402-Calls-Remaining only lowers the buyer's count", () => {
  it('a seller saying 0 after every call is believed: the buyer counts its 2-call bundle used up after each call, so each of 3 purchases buys (3 payments, 6 requests), none is refused', async () => {
    const { sent, client, s, refusals } = oneSeller({ maxCalls: 2, callsRemaining: () => '0' });
    const { results, used } = await purchases(client, s.url, 3);
    expect(used).toEqual([2, 2, 2]);
    expect(rows(results)).toEqual(Array(3).fill(['success', 200, false, 5_000, 2]));
    expect(sent.requests).toBe(6);
    expect(refusals()).toEqual([]);
  });

  it.each([
    ['more calls than the token has', '99'],
    ['more calls than are left (2 of 2)', '2'],
    ['a huge count', '9'.repeat(40)],
    ['a negative count', '-1'],
    ['a fraction', '0.5'],
    ['an exponent', '0e1'],
    ['hex', '0x0'],
    ['words', 'none left'],
    ['an empty value', ''],
    ['no header at all', null],
  ])(
    'a seller sending %s (%j) does not change what the buyer does: 2 calls on each 2-call bundle, counted 1, 2, 1, 2; 4 purchases, 2 payments, 6 requests',
    async (_what, said) => {
      const { sent, client, s, refusals } = oneSeller({ maxCalls: 2, callsRemaining: () => said });
      const { results, used } = await purchases(client, s.url, 4);
      expect(used).toEqual([1, 2, 1, 2]);
      expect(rows(results)).toEqual([
        ['success', 200, false, 5_000, 2],
        ['success', 200, true, 0, 1],
        ['success', 200, false, 5_000, 2],
        ['success', 200, true, 0, 1],
      ]);
      expect(sent.requests).toBe(6);
      expect(refusals()).toEqual([]);
    },
  );
});

describe('TokenStore.lowerCallsLeft takes a count of calls left that only lowers the count', () => {
  const token = (maxCalls?: number): StoredToken => ({
    origin: 'http://seller.test',
    pathPrefix: '/v1',
    macaroon: 'mac',
    paymentHash: 'ab'.repeat(32),
    preimage: 'cd'.repeat(32),
    state: 'paid',
    createdAt: 0,
    callsUsed: 2,
    ...(maxCalls !== undefined ? { maxCalls } : {}),
  });

  it('a 5-call token counted 2 used: -1, 0.5, NaN, Infinity, 3 and 4 or 99 left change nothing; 1 left makes it 4 used, 0 left 5', () => {
    const store = new MemoryTokenStore();
    const t = token(5);
    const used = [-1, 0.5, NaN, Infinity, 3, 4, 99, 1, 0].map((left) => {
      store.lowerCallsLeft(t, left);
      return t.callsUsed;
    });
    expect(used).toEqual([2, 2, 2, 2, 2, 2, 2, 4, 5]);
  });

  it('a token without max_calls keeps its count whatever the seller says', () => {
    const t = token();
    new MemoryTokenStore().lowerCallsLeft(t, 0);
    expect(t.callsUsed).toBe(2);
  });
});
