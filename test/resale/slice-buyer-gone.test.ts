/**
 * A slice buyer that stops waiting for its paid retry (its request timed out or was aborted) while
 * the reseller works on its slice. The paywall cancels its hold (`request_aborted`): the slice never
 * reached it, so it is not counted as delivered. A buyer already gone when its turn comes gets no
 * slice cut, and the bundle keeps those calls for the next buyer.
 */
import { describe, expect, it } from 'vitest';
import { createL402Client, MemoryTokenStore, type StoredToken } from '../../agents/l402/index.js';
import { createReseller } from '../../agents/resale/index.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import { drive, makeMarket } from '../buyer/market.js';
import { resellerOptions, SLICE_URL } from './reseller-market.js';

/** A token store that tells `onSliced` each time the calls sliced from a bundle are written on it. */
class SliceCounting extends MemoryTokenStore {
  onSliced = () => {};
  override put(token: StoredToken): Promise<void> {
    if (token.state === 'paid' && token.callsUsed > 0) this.onSliced();
    return super.put(token);
  }
}

/** origin (6-call bundle, quoting after `quoteDelayMs`) → reseller (2-call slices) → plain buyers of slices. */
function market(quoteDelayMs = 0) {
  const m = makeMarket();
  const origin = m.addSeller({ name: 'origin', priceMsat: 30_000, maxCalls: 6, quoteDelayMs });
  const o = resellerOptions(m, origin.url, {
    upstream: { url: origin.url, hints: { expectedPayee: origin.node.pubkey, quotedPriceMsat: 30_000 } },
    // Its paid retries wait for a slow bundle purchase longer than a buyer waits for an answer (30 s).
    upstreamTimeoutSec: 60,
  });
  const tokens = new SliceCounting();
  o.client = createL402Client({
    node: o.node,
    fetch: m.fetch,
    clock: m.clock,
    buyer: 'reseller',
    tokens,
    requestTimeoutMs: 120_000,
  });
  const events: PaywallEvent[] = [];
  const reseller = createReseller({ ...o, onEvent: (e) => events.push(e) });
  m.mount('reseller.test', reseller.app);
  let n = 0;
  const buy = (init: RequestInit = {}) => {
    const node = m.addNode(`buyer-${n++}`, { toHub: true });
    const client = createL402Client({ node, fetch: m.fetch, clock: m.clock });
    return drive(m.clock, client.purchase(SLICE_URL, init, { payOnSuccess: true }));
  };
  const refunds = () => events.filter((e) => e.type === 'refunded').map((e) => e.reason);
  return { m, reseller, tokens, buy, refunds };
}

describe('a slice buyer that left before its slice went out', () => {
  it('gone while the reseller bought the bundle (40 s quote, 30 s wait): no slice cut for it, paid 0; the bundle then sells its 3 slices to the next 3 buyers', async () => {
    const { reseller, buy, refunds } = market(40_000);
    const gone = await buy();
    const next = [await buy(), await buy(), await buy()];

    expect([gone.outcome, gone.reason, gone.paidMsat]).toEqual([
      'not_delivered',
      'request failed: no answer within 30000 ms',
      0,
    ]);
    expect(next.map((r) => [r.outcome, r.paidMsat])).toEqual(Array(3).fill(['success', 12_000]));
    expect(refunds()).toEqual([undefined]);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 1,
      slicesDelivered: 3,
      slicesSold: 3,
      failures: 0,
    });
  });

  it('gone the moment its slice was cut: the paywall refunds it (request_aborted) and it is not counted delivered; its 2 calls stay taken, so 2 more slices are sold from the bundle', async () => {
    const { reseller, tokens, buy, refunds } = market();
    const abort = new AbortController();
    tokens.onSliced = () => abort.abort();
    const gone = await buy({ signal: abort.signal });
    tokens.onSliced = () => {};
    const next = [await buy(), await buy()];

    expect([gone.outcome, gone.reason, gone.paidMsat]).toEqual([
      'not_delivered',
      'request failed: This operation was aborted',
      0,
    ]);
    expect(next.map((r) => [r.outcome, r.paidMsat])).toEqual(Array(2).fill(['success', 12_000]));
    expect(refunds()).toEqual(['request_aborted']);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesDelivered: 2, slicesSold: 2 });
  });
});
