/**
 * Two clients (two purchase engines) of one process on one node and one token store, as the API
 * allows: the payments one has in flight are the store's, so the other waits for them and reuses
 * the token instead of recovering it (a lookup that finds no record yet) and buying a second token
 * that would replace the first. A 10,000 msat payment through the hub costs 110 msat in fees.
 */
import { describe, expect, it } from 'vitest';
import { createL402Client, MemoryTokenStore, type StoredToken } from '../../agents/l402/index.js';
import type { LightningNode } from '../../infra/lightning/node.js';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import type { VirtualClock } from '../../infra/time/virtual-clock.js';
import { drive, makeMarket, type Market } from './market.js';

const PRICE_MSAT = 10_000;
const FEE_MSAT = 110;

/** A memory store whose writes take `writeMs` of the clock (a file's fsync); `onPending` hears the first pending put. */
class SlowStore extends MemoryTokenStore {
  onPending: (() => void) | undefined;
  constructor(
    readonly clock: VirtualClock,
    readonly writeMs: number,
  ) {
    super();
  }
  override async put(t: StoredToken): Promise<void> {
    const written = super.put(t);
    const hook = t.state === 'pending' ? this.onPending : undefined;
    this.onPending = undefined;
    hook?.();
    await this.clock.sleep(this.writeMs);
    return written;
  }
}

/** A 10-call seller on a market with 15 ms hops, and two clients of the buyer's node on one store. */
function twoClients(
  nodeOf: (m: Market) => { c1: LightningNode; c2: LightningNode } = (m) => ({ c1: m.buyer, c2: m.buyer }),
) {
  const m = makeMarket({ latency: fixedLatency(15) });
  const seller = m.addSeller({ name: 'alpha', priceMsat: PRICE_MSAT, maxCalls: 10 });
  const tokens = new SlowStore(m.clock, 20);
  const nodes = nodeOf(m);
  const c1 = createL402Client({ node: nodes.c1, fetch: m.fetch, clock: m.clock, tokens });
  const c2 = createL402Client({ node: nodes.c2, fetch: m.fetch, clock: m.clock, tokens });
  const challenges = () => seller.events.filter((e) => e.type === 'challenge').length;
  return { m, seller, tokens, c1, c2, challenges };
}

/**
 * `twoClients` where the first client's node (with `both`, each client's) answers payment lookups
 * (sendOnce's, asked before the pending token is stored) only after `release`; `asked` resolves at
 * the first lookup.
 */
function withSlowLookup(both = false) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const asked = new Promise<void>((r) => (reached = r));
  const slow = (node: LightningNode) =>
    new Proxy(node, {
      get(target, prop) {
        if (prop === 'lookupPayment')
          return (hash: string) => {
            reached();
            return released.then(() => target.lookupPayment(hash));
          };
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return {
    ...twoClients((m) =>
      both ? { c1: slow(m.buyer), c2: slow(m.buyer) } : { c1: slow(m.buyer), c2: m.buyer },
    ),
    asked,
    release,
  };
}

const summary = (r: { outcome: string; paidMsat: number; feeMsat: number; tokenReused: boolean }) => [
  r.outcome,
  r.paidMsat,
  r.feeMsat,
  r.tokenReused,
];

describe('two clients on one token store pay for a resource once', () => {
  it("a second client that finds the first's pending token while it is written waits for that payment and reuses the token: 10,110 msat spent once, 1 challenge, one paid token with 2 of 10 calls used", async () => {
    const { m, tokens, c1, c2, seller, challenges } = twoClients();
    const before = await m.balance(m.buyer);
    let second: ReturnType<typeof c2.purchase> | undefined;
    tokens.onPending = () => (second = c2.purchase(seller.url));

    const r1 = await drive(m.clock, c1.purchase(seller.url));
    const r2 = await drive(m.clock, second!);

    expect(summary(r1)).toEqual(['success', PRICE_MSAT, FEE_MSAT, false]);
    expect(summary(r2)).toEqual(['success', 0, 0, true]);
    expect(r2.paymentHash).toBe(r1.paymentHash);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(challenges()).toBe(1);
    expect(seller.served).toBe(2);
    expect(tokens.list().map((t) => [t.state, t.paymentHash, t.callsUsed, t.maxCalls])).toEqual([
      ['paid', r1.paymentHash, 2, 10],
    ]);
  });

  it("a second client's recover() while the first's pending token is written leaves it in flight (completed 0, dropped 0, inFlight 1): the first's purchase keeps its token", async () => {
    const { m, tokens, c1, c2, seller } = twoClients();
    let recovered: ReturnType<typeof c2.recover> | undefined;
    tokens.onPending = () => (recovered = c2.recover());

    const r1 = await drive(m.clock, c1.purchase(seller.url));

    expect(await drive(m.clock, recovered!)).toEqual({ completed: 0, dropped: 0, inFlight: 1 });
    expect(summary(r1)).toEqual(['success', PRICE_MSAT, FEE_MSAT, false]);
    expect(tokens.list().map((t) => [t.state, t.paymentHash, t.callsUsed])).toEqual([
      ['paid', r1.paymentHash, 1],
    ]);
  });

  it("a second client that starts while the first asks its node about the hash (its pending token not stored yet) waits for the first's payment and reuses its token without a challenge: 10,110 msat spent once", async () => {
    const { m, tokens, c1, c2, seller, challenges, asked, release } = withSlowLookup();
    const before = await m.balance(m.buyer);

    const first = c1.purchase(seller.url);
    await drive(m.clock, asked);
    const second = c2.purchase(seller.url);
    await drive(m.clock, m.clock.sleep(5_000));
    release();
    const [r1, r2] = await drive(m.clock, Promise.all([first, second]));

    expect(summary(r1)).toEqual(['success', PRICE_MSAT, FEE_MSAT, false]);
    expect(summary(r2)).toEqual(['success', 0, 0, true]);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(challenges()).toBe(1);
    expect(tokens.list().map((t) => [t.state, t.paymentHash, t.callsUsed])).toEqual([
      ['paid', r1.paymentHash, 2],
    ]);
  });

  it('two clients that start at once, each quoted, pay once: the second to reach its payment waits while the first asks its node about the hash, then reuses its token (2 challenges, 10,110 msat spent)', async () => {
    const { m, tokens, c1, c2, seller, challenges, release } = withSlowLookup(true);
    const before = await m.balance(m.buyer);

    const both = Promise.all([c1.purchase(seller.url), c2.purchase(seller.url)]);
    await drive(m.clock, m.clock.sleep(5_000));
    expect(before - (await m.balance(m.buyer))).toBe(0);
    release();
    const [r1, r2] = await drive(m.clock, both);

    expect(summary(r1)).toEqual(['success', PRICE_MSAT, FEE_MSAT, false]);
    expect(summary(r2)).toEqual(['success', 0, 0, true]);
    expect(before - (await m.balance(m.buyer))).toBe(PRICE_MSAT + FEE_MSAT);
    expect(challenges()).toBe(2);
    expect(tokens.list().map((t) => [t.state, t.paymentHash, t.callsUsed])).toEqual([
      ['paid', r1.paymentHash, 2],
    ]);
  });
});
