import { describe, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type TaskResult } from '../../agents/buyer/index.js';
import { createL402Client, type PurchaseResult } from '../../agents/l402/index.js';
import { drive, makeMarket, type SellerSpec } from './market.js';

/**
 * Concurrent purchases of one buyer that all see the calls left on one held token: each call is
 * claimed, checked and counted in one step, so an N-call token is sent by exactly N of them and the
 * others buy instead of sending a token their buyer already counts used up (which the seller would
 * refuse as `quota_exhausted`, booked against it as a `token_refused` failure).
 */

/** A market with one seller (5,000 msat a token, 105 msat of fees per payment through the hub). */
async function oneSeller(spec: Omit<SellerSpec, 'name' | 'priceMsat'>) {
  const m = makeMarket();
  const s = m.addSeller({ name: 'feed', priceMsat: 5_000, ...spec });
  const registry = await m.registry();
  const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock });
  const agent = createBuyerAgent({
    name: 'buyer-1',
    registry,
    client,
    decider: createDecider('cheapest', { clock: m.clock, rng: m.rng.fork('decider') }),
    clock: m.clock,
  });
  const refusals = () => s.events.filter((e) => e.type === 'rejected').map((e) => e.reason);
  return { m, s, client, agent, refusals };
}

/** Each task's purchases as [outcome, refusal, tokenReused, paid msat, fee msat]. */
const rows = (results: TaskResult[]) =>
  results.map((r) => r.purchases.map((p) => [p.outcome, p.refusal, p.tokenReused, p.paidMsat, p.feeMsat]));

const task = (id: string) => ({ id, capability: 'data', valueMsat: 100_000, calls: 1 });

describe("a buyer graph's concurrent tasks share a held token's calls left, one call each", () => {
  it('a 1-call token whose call came back on a 500: of 3 concurrent tasks exactly 1 sends it, the 2 others each buy a token of their own: 3 calls served, 2 payments of 5,000 msat, no refusal', async () => {
    const { m, s, agent, refusals } = await oneSeller({ maxCalls: 1, failOn: [1] });
    const before = await m.balance(m.buyer);
    const first = await agent.runTask(task('t0'));
    expect(rows([first])).toEqual([[['not_delivered', undefined, false, 5_000, 105]]]);

    const results = await drive(
      m.clock,
      Promise.all(['t1', 't2', 't3'].map((id) => agent.runTask(task(id)))),
    );

    expect(rows(results)).toEqual([
      [['success', undefined, true, 0, 0]],
      [['success', undefined, false, 5_000, 105]],
      [['success', undefined, false, 5_000, 105]],
    ]);
    expect(results.map((r) => r.stopReason)).toEqual(['done', 'done', 'done']);
    expect(refusals()).toEqual([]);
    expect([s.runs, s.served]).toEqual([4, 3]);
    expect(before - (await m.balance(m.buyer))).toBe(3 * 5_105);
  });

  it('a 3-call bundle with 2 calls left: of 4 concurrent tasks exactly 2 send it, the 2 others buy one new bundle (one pays 5,000 msat, the other shares its token): 5 calls served, no refusal', async () => {
    const { m, s, client, agent, refusals } = await oneSeller({ maxCalls: 3 });
    const before = await m.balance(m.buyer);
    const first = await agent.runTask(task('t0'));
    expect(rows([first])).toEqual([[['success', undefined, false, 5_000, 105]]]);

    const ids = ['t1', 't2', 't3', 't4'];
    const results = await drive(m.clock, Promise.all(ids.map((id) => agent.runTask(task(id)))));

    expect(rows(results)).toEqual([
      [['success', undefined, true, 0, 0]],
      [['success', undefined, true, 0, 0]],
      [['success', undefined, false, 5_000, 105]],
      [['success', undefined, true, 0, 0]],
    ]);
    const hashes = results.map((r) => r.purchases[0]!.paymentHash);
    expect(hashes.map((h) => (h === first.purchases[0]!.paymentHash ? 'old' : 'new'))).toEqual([
      'old',
      'old',
      'new',
      'new',
    ]);
    expect(refusals()).toEqual([]);
    expect(s.served).toBe(5);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[2, 3]]);
    expect(before - (await m.balance(m.buyer))).toBe(2 * 5_105);
  });

  it('4 concurrent tasks without a token buy from a 2-call bundle seller: one pays and the first waiter shares its token, the 2 waiters left find no call and buy the next bundle (one pays, one shares): 2 payments of 5,000 msat, 4 calls served, no refusal', async () => {
    const { m, s, client, agent, refusals } = await oneSeller({ maxCalls: 2 });
    const before = await m.balance(m.buyer);

    const ids = ['t1', 't2', 't3', 't4'];
    const results = await drive(m.clock, Promise.all(ids.map((id) => agent.runTask(task(id)))));

    expect(rows(results)).toEqual([
      [['success', undefined, false, 5_000, 105]],
      [['success', undefined, true, 0, 0]],
      [['success', undefined, false, 5_000, 105]],
      [['success', undefined, true, 0, 0]],
    ]);
    const hashes = results.map((r) => r.purchases[0]!.paymentHash);
    expect([hashes[1] === hashes[0], hashes[3] === hashes[2], hashes[2] === hashes[0]]).toEqual([
      true,
      true,
      false,
    ]);
    expect(refusals()).toEqual([]);
    expect(s.served).toBe(4);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[2, 2]]);
    expect(before - (await m.balance(m.buyer))).toBe(2 * 5_105);
  });
});

describe("the client's concurrent purchases share a held token's calls left, one call each", () => {
  /** Each purchase as [outcome, refusal, tokenReused, paid msat]. */
  const purchaseRows = (results: PurchaseResult[]) =>
    results.map((r) => [r.outcome, r.refusal, r.tokenReused, r.paidMsat]);

  it('a 3-call bundle with 2 calls left: of 4 concurrent purchases exactly 2 send it, the 2 others buy one new bundle (one pays 5,000 msat, the other reuses it): no refusal', async () => {
    const { m, s, client, refusals } = await oneSeller({ maxCalls: 3 });
    const before = await m.balance(m.buyer);
    const first = await client.purchase(s.url);
    expect(purchaseRows([first])).toEqual([['success', undefined, false, 5_000]]);

    const results = await drive(m.clock, Promise.all([1, 2, 3, 4].map(() => client.purchase(s.url))));

    expect(purchaseRows(results)).toEqual([
      ['success', undefined, true, 0],
      ['success', undefined, true, 0],
      ['success', undefined, false, 5_000],
      ['success', undefined, true, 0],
    ]);
    expect(refusals()).toEqual([]);
    expect(s.served).toBe(5);
    expect(client.tokens.list().map((t) => [t.callsUsed, t.maxCalls])).toEqual([[2, 3]]);
    expect(before - (await m.balance(m.buyer))).toBe(2 * 5_105);
  });
});
