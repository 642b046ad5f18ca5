import { describe, expect, it } from 'vitest';
import { createL402Client, MemoryTokenStore, type StoredToken } from '../../agents/l402/index.js';
import { createReseller, createSubAgent } from '../../agents/resale/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { drive, makeMarket } from '../buyer/market.js';

/**
 * A token file kept in memory: every change writes a JSON snapshot of the tokens, as
 * FileTokenStore writes its file (real files would stall the virtual clock's drive).
 */
class SnapshotTokenStore extends MemoryTokenStore {
  snapshot = '[]';

  /** A store loaded from the last snapshot, as a restarted process opens its token file. */
  static reopen(previous: SnapshotTokenStore): SnapshotTokenStore {
    const store = new SnapshotTokenStore();
    for (const t of JSON.parse(previous.snapshot) as StoredToken[]) void store.put(t);
    return store;
  }

  protected override changed(): Promise<void> {
    this.snapshot = JSON.stringify(this.list());
    return Promise.resolve();
  }
}

/**
 * origin (6-call bundle, 30,000 msat) → reseller (2-call slices, 12,000 msat) on one simnet;
 * `restart()` starts a new reseller process (same node, same minter) over its token file.
 */
function restartableChain() {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6 });
  const node = m.addNode('reseller', { toHub: true });
  m.net.openChannel(m.hub, node, { capacityMsat: 50_000_000, baseFeeMsat: 100, feeRatePpm: 1_000 });
  const rng = m.rng.fork('reseller');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  let tokens = new SnapshotTokenStore();
  const start = () => {
    const r = createReseller({
      name: 'reseller',
      node,
      minter,
      clock: m.clock,
      secrets: insecureSeededSecrets(rng),
      client: createL402Client({ node, fetch: m.fetch, clock: m.clock, buyer: 'reseller', tokens }),
      upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
      slice: { calls: 2, validForSec: 600, priceMsat: 12_000 },
    });
    m.mount('reseller.test', r.app);
    return r;
  };
  let reseller = start();
  let subs = 0;
  /** A new sub-agent buys a slice and makes two calls with it: outcomes and msat it paid in all. */
  const sale = async () => {
    const name = `sub-${subs++}`;
    const sub = createSubAgent({
      name,
      node: m.addNode(name, { toHub: true }),
      fetch: m.fetch,
      clock: m.clock,
    });
    const before = await m.balance(m.net.node(name));
    const { result } = await drive(m.clock, sub.buySlice('http://reseller.test/slice'));
    const calls = [(await sub.call(origin.url)).outcome, (await sub.call(origin.url)).outcome];
    const paidMsat = before - (await m.balance(m.net.node(name)));
    return { buy: result.outcome, calls, paidMsat };
  };
  const restart = () => {
    tokens = SnapshotTokenStore.reopen(tokens);
    reseller = start();
  };
  /** `callsUsed` of the tokens in the token file. */
  const bundleCallsUsed = () => (JSON.parse(tokens.snapshot) as StoredToken[]).map((t) => t.callsUsed);
  return { m, origin, sale, restart, bundleCallsUsed, stats: () => reseller.stats() };
}

const WORKING = { buy: 'success', calls: ['success', 'success'], paidMsat: 12_112 };

describe('a reseller restarted over its token file sells only the calls left of its bundle', () => {
  it('after selling all three 2-call slices of a 6-call bundle and restarting, it buys a new bundle for the fourth slice, which works', async () => {
    const c = restartableChain();
    for (let i = 0; i < 3; i++) expect(await c.sale()).toEqual(WORKING);
    // The three slices' calls are on the stored bundle, in the file.
    expect(c.bundleCallsUsed()).toEqual([6]);
    c.restart();
    expect(c.bundleCallsUsed()).toEqual([6]);
    expect(await c.sale()).toEqual(WORKING);
    expect(c.stats()).toEqual({
      bundlesBought: 1,
      costMsat: 30_130,
      slicesDelivered: 1,
      slicesSold: 1,
      slicesRefused: 0,
      creditRefusals: 0,
      revenueMsat: 12_000,
      failures: 0,
      bundleChecks: 0,
    });
    expect(c.bundleCallsUsed()).toEqual([2]);
    expect(c.origin.served).toBe(8);
    expect(c.origin.events.filter((e) => e.type === 'challenge')).toHaveLength(2);
    expect(c.origin.events.filter((e) => e.type === 'rejected')).toHaveLength(0);
  });

  it('after selling one slice and restarting, it sells the two slices left of the same bundle, then buys a second', async () => {
    const c = restartableChain();
    expect(await c.sale()).toEqual(WORKING);
    c.restart();
    expect(c.bundleCallsUsed()).toEqual([2]);
    for (let i = 0; i < 2; i++) expect(await c.sale()).toEqual(WORKING);
    expect(c.stats()).toMatchObject({ bundlesBought: 0, costMsat: 0, slicesSold: 2, revenueMsat: 24_000 });
    expect(c.bundleCallsUsed()).toEqual([6]);
    expect(await c.sale()).toEqual(WORKING);
    expect(c.stats()).toMatchObject({
      bundlesBought: 1,
      costMsat: 30_130,
      slicesSold: 3,
      revenueMsat: 36_000,
    });
    expect(c.origin.served).toBe(8);
    expect(c.origin.events.filter((e) => e.type === 'challenge')).toHaveLength(2);
    expect(c.origin.events.filter((e) => e.type === 'rejected')).toHaveLength(0);
  });
});
