import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { createReseller, createSubAgent, type SubAgent } from '../../agents/resale/index.js';
import { createMinter, MemoryRootKeyStore } from '../../infra/l402/index.js';
import type { LndNode } from '../../infra/lightning/lnd/index.js';
import { createRng } from '../../infra/random.js';
import { systemClock } from '../../infra/time/clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import { createSeller } from '../../services/sellers/index.js';
import {
  ChannelLedger,
  NODE_NAMES,
  changes,
  hubFee,
  quietBalances,
  type NodeName,
} from './support/ledger.js';
import { describeRegtest, regtestAvailability, useRegtest } from './support/regtest.js';

const unavailable = await regtestAvailability();

const SLICE_MSAT = 9_000;

/**
 * origin (seller-1: a 4-call bundle) → reseller (seller-2: its own LND node and
 * paywall, 2-call slices sold pay-on-success with buyer release, set to
 * oversell three per bundle: one too many) → sub-agents on buyer-1 and buyer-2, each checking its
 * slice at the origin before its payment settles. Every payment crosses the hub.
 */
describeRegtest(unavailable, 'a resale chain on real LND: origin → reseller → sub-agents', () => {
  const rt = useRegtest();
  const nodes = {} as Record<NodeName, LndNode>;
  let origin: Listening;
  let resale: Listening;
  let originUrl: string;
  let bundlePriceMsat: number;
  const originEvents: PaywallEvent[] = [];
  const resellerPays: PurchaseEvent[] = [];
  let reseller: ReturnType<typeof createReseller>;
  const subs: { sub: SubAgent; node: 'buyer-1' | 'buyer-2' }[] = [];
  const ledger = new ChannelLedger();
  let before: Record<string, number>;

  beforeAll(async () => {
    for (const n of NODE_NAMES) nodes[n] = await rt.node(n);
    const seller = await createSeller(
      {
        name: 'origin-feed',
        archetype: 'data-feed',
        price: { kind: 'fixed', msat: 5_000 },
        tiers: [{ kind: 'bundle', calls: 4 }],
        latency: { kind: 'fixed', ms: 0 },
      },
      {
        node: nodes['seller-1'],
        clock: systemClock,
        rng: createRng('origin-feed'),
        onEvent: (e) => originEvents.push(e),
      },
    );
    origin = await listen(seller.app.fetch);
    const listing = seller.listing(origin.url);
    originUrl = listing.url;
    bundlePriceMsat = listing.tiers[0]!.priceMsat;

    reseller = createReseller({
      name: 'reseller',
      node: nodes['seller-2'],
      minter: createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => randomBytes(n) }),
      clock: systemClock,
      client: createL402Client({
        node: nodes['seller-2'],
        fetch,
        clock: systemClock,
        buyer: 'reseller',
        onEvent: (e) => (e.step === 'pay' ? resellerPays.push(e) : undefined),
      }),
      upstream: {
        url: originUrl,
        hints: { expectedPayee: seller.nodePubkey, quotedPriceMsat: bundlePriceMsat },
      },
      slice: { calls: 2, validForSec: 600, priceMsat: SLICE_MSAT },
      slicesPerBundle: 3,
      oversell: true,
    });
    resale = await listen(reseller.app.fetch);
    for (const [i, node] of (['buyer-1', 'buyer-2', 'buyer-1', 'buyer-2'] as const).entries()) {
      const sub = createSubAgent({
        name: `sub-${i}`,
        node: nodes[node],
        fetch,
        clock: systemClock,
        budgetMsat: 15_000,
      });
      subs.push({ sub, node });
    }
    before = await quietBalances(nodes);
  }, 60_000);
  afterAll(async () => {
    await resale?.close();
    await origin?.close();
  });

  it('three sub-agents buy slices of one bundle from a reseller set to oversell, each checked at the origin before it settles; the oversold third is canceled, 0 msat paid', async () => {
    for (const { sub, node } of subs.slice(0, 2)) {
      const { result, slice, check } = await sub.buySlice(`${resale.url}/slice`, {}, { url: originUrl });
      expect(result).toMatchObject({
        outcome: 'success',
        paidMsat: SLICE_MSAT,
        feeMsat: hubFee(SLICE_MSAT),
        hops: 2,
      });
      expect(slice).toMatchObject({ service: 'origin-feed', calls: 2 });
      // The check was the slice's first call at the origin, made while the HTLC was held.
      expect(check).toMatchObject({ outcome: 'success', paidMsat: 0 });
      ledger.book(node, 'seller-2', result.paidMsat, result.feeMsat);
      // Sub-agents live on the slice: nothing is paid at the origin.
      expect(await sub.call(originUrl)).toMatchObject({ outcome: 'success', paidMsat: 0 });
    }
    const { sub, node } = subs[2]!;
    const start = await quietBalances({ [node]: nodes[node] });
    const third = await sub.buySlice(`${resale.url}/slice`, {}, { url: originUrl });
    expect(third.result).toMatchObject({ outcome: 'slice_refused', paidMsat: 0, feeMsat: 0 });
    expect(third.check).toMatchObject({ outcome: 'token_refused', paidMsat: 0 });
    expect(third.slice).toBeUndefined();
    expect(await nodes['seller-2'].lookupInvoice(third.result.paymentHash!)).toMatchObject({
      state: 'canceled',
    });
    expect(await quietBalances({ [node]: nodes[node] })).toEqual(start);
    // The origin sold one bundle, served its four calls, and refused the fifth on its shared counter
    // (the refusal carries a fresh challenge, which a reuse-only check does not pay).
    expect(originEvents.filter((e) => e.type === 'challenge')).toHaveLength(2);
    expect(originEvents.filter((e) => e.type === 'authorized')).toHaveLength(4);
    expect(originEvents.filter((e) => e.type === 'rejected').map((e) => e.reason)).toEqual([
      'quota_exhausted',
    ]);
    expect(reseller.stats()).toMatchObject({
      bundlesBought: 1,
      slicesDelivered: 3,
      slicesSold: 2,
      slicesRefused: 1,
      revenueMsat: 2 * SLICE_MSAT,
      costMsat: bundlePriceMsat + hubFee(bundlePriceMsat),
    });
    expect(resellerPays).toHaveLength(1);
    const pay = resellerPays[0]!;
    if (pay.step !== 'pay') throw new Error('not a pay event');
    ledger.book('seller-2', 'seller-1', pay.amountMsat, pay.feeMsat);
  });

  it('a slice buyer is refunded to the msat when the reseller cannot get a new bundle', async () => {
    await origin.close();
    const { sub, node } = subs[3]!;
    const start = await quietBalances({ [node]: nodes[node] });
    const { result, slice } = await sub.buySlice(`${resale.url}/slice`, {}, { url: originUrl });
    expect(result).toMatchObject({ outcome: 'not_delivered', status: 503, paidMsat: 0 });
    expect(slice).toBeUndefined();
    expect(await nodes['seller-2'].lookupInvoice(result.paymentHash!)).toMatchObject({ state: 'canceled' });
    expect(await quietBalances({ [node]: nodes[node] })).toEqual(start);
    expect(reseller.stats()).toMatchObject({ bundlesBought: 1, slicesSold: 2, failures: 1 });
  });

  it('every node moved exactly what the chain recorded: two subs paid the reseller, the reseller paid the origin, the hub kept the fees', async () => {
    const after = await quietBalances(nodes);
    expect(changes(before, after)).toEqual(ledger.expected());
    expect(ledger.expected()).toMatchObject({
      'seller-1': bundlePriceMsat,
      'seller-2': 2 * SLICE_MSAT - bundlePriceMsat - hubFee(bundlePriceMsat),
    });
  });
});
