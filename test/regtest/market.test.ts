import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBuyerAgent, createDecider, type BuyerAgent } from '../../agents/buyer/index.js';
import { createL402Client, type PurchaseEvent } from '../../agents/l402/index.js';
import { allowAll, denylist } from '../../agents/policies/index.js';
import type { LndNode } from '../../infra/lightning/lnd/index.js';
import { createRng } from '../../infra/random.js';
import { systemClock } from '../../infra/time/clock.js';
import { listen, type Listening } from '../../services/http/listen.js';
import type { PaywallEvent } from '../../services/paywall/index.js';
import {
  RegistryClient,
  nodeSigner,
  startRegistryServer,
  type RegistryServer,
} from '../../services/registry/index.js';
import { createSeller, type SellerConfigInput } from '../../services/sellers/index.js';
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

describeRegtest(unavailable, 'a market on real LND: sellers on sockets, a registry, LangGraph buyers', () => {
  const rt = useRegtest();
  const nodes = {} as Record<NodeName, LndNode>;
  const servers: Listening[] = [];
  let registry: RegistryServer;
  let registryClient: RegistryClient;
  const ledger = new ChannelLedger();
  let before: Record<string, number>;
  const sellerEvents = new Map<string, PaywallEvent[]>();
  const urls = new Map<string, string>();
  const nameOf = (pubkey: string | undefined): NodeName => {
    const hit = NODE_NAMES.find((n) => rt.net.nodes.find((d) => d.name === n)?.pubkey === pubkey);
    if (!hit) throw new Error(`no node has pubkey ${pubkey}`);
    return hit;
  };

  /** A real seller archetype on one LND node, served on a socket and registered with a listing its node signed. */
  async function startSeller(node: 'seller-1' | 'seller-2', config: SellerConfigInput & { name: string }) {
    const events: PaywallEvent[] = [];
    sellerEvents.set(config.name, events);
    const seller = await createSeller(
      { latency: { kind: 'fixed', ms: 0 }, ...config },
      { node: nodes[node], clock: systemClock, rng: createRng(config.name), onEvent: (e) => events.push(e) },
    );
    const http = await listen(seller.app.fetch);
    servers.push(http);
    urls.set(config.name, new URL(seller.path, http.url).href);
    const r = await registryClient.register(seller.listing(http.url), await nodeSigner(nodes[node]));
    if (!r.ok) throw new Error(`registering ${config.name}: ${r.code} ${r.message}`);
    return seller;
  }

  /** A LangGraph buyer on an LND node; its client records every payment step. */
  function buyerAgent(
    name: 'buyer-1' | 'buyer-2',
    policy = allowAll(),
  ): BuyerAgent & { pays: PurchaseEvent[] } {
    const pays: PurchaseEvent[] = [];
    const client = createL402Client({
      node: nodes[name],
      fetch,
      clock: systemClock,
      policy,
      buyer: name,
      onEvent: (e) => (e.step === 'pay' ? pays.push(e) : undefined),
    });
    const agent = createBuyerAgent({
      name,
      registry: registryClient,
      client,
      decider: createDecider('cheapest', { clock: systemClock }),
      clock: systemClock,
    });
    return Object.assign(agent, { pays });
  }

  beforeAll(async () => {
    for (const n of NODE_NAMES) nodes[n] = await rt.node(n);
    // A lab on this machine: its sellers listen on loopback, which a public registry refuses to list.
    registry = await startRegistryServer({
      clock: systemClock,
      network: 'regtest',
      probeIntervalMs: 0,
      addressPolicy: 'lab',
    });
    registryClient = new RegistryClient({
      baseUrl: registry.url,
      fetch: (r) => fetch(r),
      clock: systemClock,
    });
    await startSeller('seller-1', {
      name: 'feed-north',
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 7_000 },
    });
    await startSeller('seller-2', {
      name: 'feed-south',
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 4_000 },
    });
    before = await quietBalances(nodes);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await registry?.close();
  });

  it('two buyers find the sellers in the registry and buy over two hops; one policy steers a buyer away from the cheapest', async () => {
    const cheapest = buyerAgent('buyer-1');
    // buyer-2 will not pay seller-2's node: the graph records the refusal and buys the next-best quote.
    const picky = buyerAgent(
      'buyer-2',
      denylist({ payees: [rt.net.nodes.find((n) => n.name === 'seller-2')!.pubkey] }),
    );
    const task = { capability: 'anomalies:read', valueMsat: 50_000 };
    const [a, b] = await Promise.all([
      cheapest.runTask({ id: 'cheap', ...task, calls: 2 }),
      picky.runTask({ id: 'picky', ...task, calls: 1 }),
    ]);

    expect(a).toMatchObject({ done: true, stopReason: 'done', calls: 2, spentMsat: 8_000 });
    expect(a.purchases.map((p) => [p.seller, p.outcome, p.paidMsat, p.hops])).toEqual([
      ['feed-south', 'success', 4_000, 2],
      ['feed-south', 'success', 4_000, 2],
    ]);
    expect(b).toMatchObject({ done: true, stopReason: 'done', calls: 1, spentMsat: 7_000 });
    expect(b.purchases.map((p) => [p.seller, p.outcome, p.paidMsat])).toEqual([
      ['feed-south', 'policy_denied', 0],
      ['feed-north', 'success', 7_000],
    ]);
    for (const [buyer, r] of [
      ['buyer-1', a],
      ['buyer-2', b],
    ] as const) {
      for (const p of r.purchases.filter((x) => x.paidMsat > 0)) {
        // Real routing fees, exactly the hub's policy; the client saw and recorded them.
        expect(p.feeMsat).toBe(hubFee(p.paidMsat));
        ledger.book(buyer, nameOf(p.payee), p.paidMsat, p.feeMsat);
      }
      const recorded = (buyer === 'buyer-1' ? cheapest : picky).pays;
      const sum = recorded.reduce((s, e) => s + (e.step === 'pay' && e.ok ? e.amountMsat + e.feeMsat : 0), 0);
      expect(sum).toBe(r.spentMsat + r.feesMsat);
    }
    // Quoting from live challenges asked both sellers for invoices; only paid ones were let through.
    expect(sellerEvents.get('feed-south')!.filter((e) => e.type === 'authorized')).toHaveLength(2);
    expect(sellerEvents.get('feed-north')!.filter((e) => e.type === 'authorized')).toHaveLength(1);
  });

  it('pay-on-success over real hold invoices: settled when the seller delivers, refunded to the msat when it fails', async () => {
    await startSeller('seller-1', {
      name: 'job-ok',
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 5_000 },
      payOnSuccess: true,
    });
    await startSeller('seller-1', {
      name: 'job-broken',
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 5_000 },
      payOnSuccess: true,
      failureRate: 1,
    });
    const client = createL402Client({ node: nodes['buyer-1'], fetch, clock: systemClock });
    const hints = {
      payOnSuccess: true,
      expectedPayee: rt.net.nodes.find((n) => n.name === 'seller-1')!.pubkey,
    };

    const ok = await client.purchase(urls.get('job-ok')!, {}, hints);
    expect(ok).toMatchObject({
      outcome: 'success',
      status: 200,
      paidMsat: 5_000,
      feeMsat: hubFee(5_000),
      hops: 2,
    });
    expect((await nodes['seller-1'].lookupInvoice(ok.paymentHash!))?.state).toBe('settled');
    ledger.book('buyer-1', 'seller-1', ok.paidMsat, ok.feeMsat);

    const start = await quietBalances({ 'buyer-1': nodes['buyer-1'] });
    const failed = await client.purchase(urls.get('job-broken')!, {}, hints);
    expect(failed).toMatchObject({ outcome: 'not_delivered', status: 500, paidMsat: 0, feeMsat: 0 });
    expect((await nodes['seller-1'].lookupInvoice(failed.paymentHash!))?.state).toBe('canceled');
    expect(await nodes['buyer-1'].lookupPayment(failed.paymentHash!)).toMatchObject({ status: 'failed' });
    expect(await quietBalances({ 'buyer-1': nodes['buyer-1'] })).toEqual(start);
    expect(sellerEvents.get('job-ok')!.map((e) => e.type)).toContain('settled');
    expect(sellerEvents.get('job-broken')!.map((e) => e.type)).toContain('refunded');
  });

  it("the run's ledger (paid + fees the clients recorded) matches every node's channel balance change to the msat", async () => {
    const after = await quietBalances(nodes);
    const expected = ledger.expected();
    expect(changes(before, after)).toEqual(expected);
    // Buyers down by paid + fees, sellers up by paid, hub up by fees, nothing created or lost.
    expect(expected).toMatchObject({
      'seller-1': 12_000,
      'seller-2': 8_000,
      hub: 2 * hubFee(4_000) + hubFee(7_000) + hubFee(5_000),
    });
    expect(Object.values(expected).reduce((s, v) => s + v, 0)).toBe(0);
  });
});
