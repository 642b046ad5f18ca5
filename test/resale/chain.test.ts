import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createReseller, createSubAgent, type SubAgent } from '../../agents/resale/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { settle } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket } from '../buyer/market.js';

/** origin seller (6-call bundle) → reseller (2-call slices, pay-on-success) → sub-agents, all on one simnet. */
function chain({
  slicesPerBundle,
  oversell,
  subs,
  hopMs,
  budgetMsat = 15_000,
}: {
  slicesPerBundle?: number;
  /** The reseller set to oversell: `slicesPerBundle` slices per bundle, whatever it holds. */
  oversell?: boolean;
  subs: number;
  /** Per-hop latency, so payments stay in flight long enough for a second task to arrive. */
  hopMs?: number;
  budgetMsat?: number;
}) {
  const m = makeMarket(hopMs !== undefined ? { latency: fixedLatency(hopMs) } : {});
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6 });
  const node = m.addNode('reseller', { toHub: true });
  m.net.openChannel(m.hub, node, { capacityMsat: 50_000_000, baseFeeMsat: 100, feeRatePpm: 1_000 });
  const rng = m.rng.fork('reseller');
  const reseller = createReseller({
    name: 'reseller',
    node,
    minter: createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) }),
    clock: m.clock,
    secrets: insecureSeededSecrets(rng),
    client: createL402Client({ node, fetch: m.fetch, clock: m.clock, buyer: 'reseller' }),
    upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
    slice: { calls: 2, validForSec: 600, priceMsat: 12_000 },
    ...(slicesPerBundle !== undefined ? { slicesPerBundle } : {}),
    ...(oversell ? { oversell } : {}),
  });
  m.mount('reseller.test', reseller.app);
  const agents: SubAgent[] = Array.from({ length: subs }, (_, i) =>
    createSubAgent({
      name: `sub-${i}`,
      node: m.addNode(`sub-${i}`, { toHub: true }),
      fetch: m.fetch,
      clock: m.clock,
      budgetMsat,
    }),
  );
  return { m, origin, reseller, node, agents };
}

describe('resale chain: seller → reseller → sub-agents', () => {
  it('three sub-agents each buy a 2-call slice of one 6-call bundle and use it at the origin', async () => {
    const { m, origin, reseller, node, agents } = chain({ subs: 3 });
    const resellerBefore = await m.balance(node);
    for (const sub of agents) {
      const { result, slice } = await drive(m.clock, sub.buySlice('http://reseller.test/slice'));
      expect(result).toMatchObject({ outcome: 'success', paidMsat: 12_000 });
      expect(slice).toMatchObject({ origin: 'http://origin.test', service: 'origin', calls: 2 });
      const calls = [await sub.call(origin.url), await sub.call(origin.url), await sub.call(origin.url)];
      expect(calls.map((c) => c.outcome)).toEqual(['success', 'success', 'quota_exhausted']);
      expect(calls.map((c) => c.paidMsat)).toEqual([0, 0, 0]);
    }
    // One bundle bought upstream, three slices sold; the origin served all six calls of it.
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 3, revenueMsat: 36_000 });
    expect(origin.served).toBe(6);
    expect(origin.events.filter((e) => e.type === 'challenge')).toHaveLength(1);
    // The reseller's node: +3 × 12,000 in, −(30,000 + fee) out.
    const { costMsat } = reseller.stats();
    expect((await m.balance(node)) - resellerBefore).toBe(36_000 - costMsat);
  });

  it('a reseller set to oversell sells a fourth slice and the held token of its buyer is refused at the origin', async () => {
    const { m, origin, reseller, agents } = chain({ slicesPerBundle: 4, oversell: true, subs: 4 });
    const outcomes: string[][] = [];
    for (const sub of agents) {
      const { result } = await drive(m.clock, sub.buySlice('http://reseller.test/slice'));
      expect(result.outcome).toBe('success');
      outcomes.push([(await sub.call(origin.url)).outcome, (await sub.call(origin.url)).outcome]);
    }
    expect(outcomes).toEqual([
      ['success', 'success'],
      ['success', 'success'],
      ['success', 'success'],
      // Refused at the origin, the slice is dropped; a reuse-only agent then has nothing to send.
      ['token_refused', 'policy_denied'],
    ]);
    // The origin's shared counter refused the fourth slice: the reseller got paid for calls that did not exist.
    expect(origin.events.filter((e) => e.type === 'rejected').map((e) => e.reason)).toEqual([
      'quota_exhausted',
    ]);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 4, revenueMsat: 48_000 });
  });

  it('an honest reseller buys a second bundle for the fourth slice', async () => {
    const { m, origin, reseller, agents } = chain({ subs: 4 });
    for (const sub of agents) {
      await drive(m.clock, sub.buySlice('http://reseller.test/slice'));
      expect((await sub.call(origin.url)).outcome).toBe('success');
    }
    expect(reseller.stats()).toMatchObject({ bundlesBought: 2, slicesSold: 4 });
  });

  it('a slice buyer is refunded when the reseller cannot get a bundle', async () => {
    const { m, origin, reseller, agents } = chain({ subs: 1 });
    m.net.setOnline(origin.node, false);
    const sub = agents[0]!;
    const before = await m.balance(m.net.node('sub-0'));
    const { result, slice } = await drive(m.clock, sub.buySlice('http://reseller.test/slice'));
    expect(result).toMatchObject({ outcome: 'not_delivered', paidMsat: 0, status: 503 });
    expect(slice).toBeUndefined();
    expect(await m.balance(m.net.node('sub-0'))).toBe(before);
    expect(reseller.stats()).toMatchObject({ slicesSold: 0, failures: 1 });
  });

  it("a sub-agent's budget caps what it spends on slices", async () => {
    const { m, agents } = chain({ subs: 1 });
    const sub = agents[0]!;
    expect((await drive(m.clock, sub.buySlice('http://reseller.test/slice'))).result.outcome).toBe('success');
    // 12,000 + fee ceiling 1,000 held per slice; the 15,000 budget has room for one.
    const second = await drive(m.clock, sub.buySlice('http://reseller.test/slice'));
    expect(second.result).toMatchObject({ outcome: 'over_budget', paidMsat: 0 });
  });

  it('two tasks of one sub-agent buying slices at once each get a slice, pay once each, and both slices are used', async () => {
    const { m, origin, reseller, agents } = chain({ subs: 1, hopMs: 15, budgetMsat: 30_000 });
    const sub = agents[0]!;
    const subNode = m.net.node('sub-0');
    const before = await m.balance(subNode);
    const first = sub.buySlice('http://reseller.test/slice');
    // The second task arrives while the first one's payment for its 1-call slice token is in flight.
    while (!sub.client.tokens.list().some((t) => t.state === 'pending')) {
      await m.clock.advance(1);
      await settle(5);
    }
    const second = sub.buySlice('http://reseller.test/slice');
    const bought = await drive(m.clock, Promise.all([first, second]));

    expect(bought.map((b) => b.result.outcome)).toEqual(['success', 'success']);
    expect(bought.map((b) => b.result.paidMsat)).toEqual([12_000, 12_000]);
    expect(bought[0]!.slice!.macaroon).not.toBe(bought[1]!.slice!.macaroon);
    expect(reseller.stats()).toMatchObject({ slicesSold: 2, revenueMsat: 24_000 });
    // What the sub-agent paid is exactly what it recorded: no call bought and lost to the other task.
    const fees = bought.reduce((sum, b) => sum + b.result.feeMsat, 0);
    expect(before - (await m.balance(subNode))).toBe(24_000 + fees);
    // Both slices are held: four calls at the origin, then nothing is left.
    const calls: string[] = [];
    for (let i = 0; i < 5; i++) calls.push((await drive(m.clock, sub.call(origin.url))).outcome);
    expect(calls).toEqual(['success', 'success', 'success', 'success', 'quota_exhausted']);
    expect(origin.served).toBe(4);
  });

  it('two tasks of one sub-agent buying checked slices at once each check its own slice, pay once each, and use the one call left on each', async () => {
    const { m, origin, reseller, agents } = chain({ subs: 1, hopMs: 15, budgetMsat: 30_000 });
    const sub = agents[0]!;
    const subNode = m.net.node('sub-0');
    const before = await m.balance(subNode);
    const check = { url: origin.url };
    const first = sub.buySlice('http://reseller.test/slice', {}, check);
    while (!sub.client.tokens.list().some((t) => t.state === 'pending')) {
      await m.clock.advance(1);
      await settle(5);
    }
    const second = sub.buySlice('http://reseller.test/slice', {}, check);
    const bought = await drive(m.clock, Promise.all([first, second]));

    expect(bought.map((b) => [b.result.outcome, b.result.paidMsat, b.check?.outcome])).toEqual([
      ['success', 12_000, 'success'],
      ['success', 12_000, 'success'],
    ]);
    expect(reseller.stats()).toMatchObject({ slicesDelivered: 2, slicesSold: 2, revenueMsat: 24_000 });
    const fees = bought.reduce((sum, b) => sum + b.result.feeMsat, 0);
    expect(before - (await m.balance(subNode))).toBe(24_000 + fees);
    // Each check made its slice's first call: one call left on each, then nothing.
    const calls: string[] = [];
    for (let i = 0; i < 3; i++) calls.push((await drive(m.clock, sub.call(origin.url))).outcome);
    expect(calls).toEqual(['success', 'success', 'quota_exhausted']);
    expect(origin.served).toBe(4);
  });
});
