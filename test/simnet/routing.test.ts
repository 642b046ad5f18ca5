import { describe, expect, it } from 'vitest';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

const CAP = 1_000_000_000; // 1M sat

// Two ways from alice to dave: via bob (cheap) and via carol (dearer).
function diamond(router: 'lnd' | 'omniscient' = 'lnd') {
  const { clock, net } = makeNet({ latency: fixedLatency(10), router });
  const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((alias) => net.addNode({ alias }));
  net.openChannel(alice!, bob!, { capacityMsat: CAP, baseFeeMsat: 0, feeRatePpm: 0 });
  net.openChannel(alice!, carol!, { capacityMsat: CAP, baseFeeMsat: 0, feeRatePpm: 0 });
  const bd = net.openChannel(bob!, dave!, {
    capacityMsat: CAP,
    pushMsat: CAP / 2,
    baseFeeMsat: 100,
    feeRatePpm: 10,
  });
  const cd = net.openChannel(carol!, dave!, {
    capacityMsat: CAP,
    pushMsat: CAP / 2,
    baseFeeMsat: 2_000,
    feeRatePpm: 500,
  });
  return { clock, net, alice: alice!, bob: bob!, carol: carol!, dave: dave!, bd, cd };
}

describe('routing with mission control', () => {
  it('prefers the cheaper route when both have liquidity', async () => {
    const { clock, net, alice, bob, carol, dave } = diamond();
    const inv = await dave.createInvoice({ amountMsat: 10_000_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest));
    expect(p).toMatchObject({ status: 'succeeded', attempts: 1, feeMsat: 100 + 100 });
    expect(net.feesEarnedMsat(bob)).toBe(200);
    expect(net.feesEarnedMsat(carol)).toBe(0);
  });

  it('retries around a channel that lacks liquidity, and remembers it for the next payment', async () => {
    const { clock, net, alice, bob, carol, dave, bd } = diamond();
    net.drainChannel(bd, bob); // public capacity unchanged: only an attempt reveals it
    const first = await settle(
      clock,
      alice.pay((await dave.createInvoice({ amountMsat: 10_000_000 })).paymentRequest),
    );
    expect(first).toMatchObject({ status: 'succeeded', attempts: 2, feeMsat: 2_000 + 5_000 });
    expect(net.feesEarnedMsat(carol)).toBe(7_000);
    expect(net.feesEarnedMsat(bob)).toBe(0);
    // The failed attempt went out and came back: 2 hops forward to bob's refusal... and back.
    expect(first.resolvedAt! - first.createdAt).toBe(2 * 10 + 1 * 10 + 2 * 2 * 10);

    const second = await settle(
      clock,
      alice.pay((await dave.createInvoice({ amountMsat: 10_000_000 })).paymentRequest),
    );
    expect(second).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(net.audit().ok).toBe(true);
  });

  it('avoids a channel that just failed, even once it has liquidity again, and tries it after the penalty fades', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, bob, dave] = ['alice', 'bob', 'dave'].map((alias) => net.addNode({ alias }));
    net.openChannel(alice!, bob!, { capacityMsat: CAP });
    const bd = net.openChannel(bob!, dave!, { capacityMsat: CAP, pushMsat: CAP / 2 });
    net.drainChannel(bd, bob!);
    const pay = async () =>
      settle(clock, alice!.pay((await dave!.createInvoice({ amountMsat: 10_000_000 })).paymentRequest));
    expect(await pay()).toMatchObject({ status: 'failed', attempts: 1, failure: { reason: 'no_route' } });
    net.drainChannel(bd, dave!, CAP / 2); // liquidity is back, but alice does not know it
    expect(await pay()).toMatchObject({ status: 'failed', attempts: 0, failure: { reason: 'no_route' } });
    await clock.advance(3_600_000); // one half-life: probability back to half the apriori
    expect(await pay()).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('with the omniscient router, goes around the drained channel on the first attempt', async () => {
    const { clock, net, alice, bob, dave, bd } = diamond('omniscient');
    net.drainChannel(bd, bob);
    const p = await settle(
      clock,
      alice.pay((await dave.createInvoice({ amountMsat: 10_000_000 })).paymentRequest),
    );
    expect(p).toMatchObject({ status: 'succeeded', attempts: 1, feeMsat: 7_000 });
  });

  it('does not send through its own peer when that peer is offline', async () => {
    const { clock, net, alice, bob, dave } = diamond();
    net.setOnline(bob, false);
    const p = await settle(
      clock,
      alice.pay((await dave.createInvoice({ amountMsat: 10_000_000 })).paymentRequest),
    );
    expect(p).toMatchObject({ status: 'succeeded', attempts: 1, feeMsat: 7_000 });
  });

  it('learns that a distant forwarding node is offline from a failed attempt and routes around it', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, eve, bob, carol, dave] = ['alice', 'eve', 'bob', 'carol', 'dave'].map((alias) =>
      net.addNode({ alias }),
    );
    const free = { baseFeeMsat: 0, feeRatePpm: 0 };
    net.openChannel(alice!, eve!, { capacityMsat: CAP, ...free });
    net.openChannel(eve!, bob!, { capacityMsat: CAP, ...free });
    net.openChannel(bob!, dave!, { capacityMsat: CAP, ...free });
    net.openChannel(alice!, carol!, { capacityMsat: CAP, ...free });
    // Dear enough that the free three-hop route through bob is tried first.
    net.openChannel(carol!, dave!, { capacityMsat: CAP, baseFeeMsat: 300_000, feeRatePpm: 0 });
    net.setOnline(bob!, false);
    const inv = await dave!.createInvoice({ amountMsat: 10_000_000 });
    const p = await settle(clock, alice!.pay(inv.paymentRequest, { maxFeeMsat: 1_000_000 }));
    expect(p).toMatchObject({ status: 'succeeded', attempts: 2, feeMsat: 300_000, hops: 2 });
    expect(net.audit().ok).toBe(true);
  });

  it('gives up with no_route after maxAttempts', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(1), maxAttempts: 1 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((alias) => net.addNode({ alias }));
    net.openChannel(a!, b!, { capacityMsat: CAP });
    net.openChannel(a!, c!, { capacityMsat: CAP });
    net.drainChannel(net.openChannel(b!, d!, { capacityMsat: CAP }), b!);
    net.drainChannel(net.openChannel(c!, d!, { capacityMsat: CAP }), c!);
    const p = await settle(clock, a!.pay((await d!.createInvoice({ amountMsat: 1_000_000 })).paymentRequest));
    expect(p).toMatchObject({ status: 'failed', attempts: 1, failure: { reason: 'no_route' } });
    expect(p.failure!.message).toContain('temporary channel failure');
  });
});

describe('liquidity', () => {
  it('runs out after the forwarding channel has been spent, and the failed payment costs the payer nothing', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias }));
    net.openChannel(alice!, bob!, { capacityMsat: CAP, baseFeeMsat: 0, feeRatePpm: 0 });
    // bob can send 300k sat minus the 1% reserve (10k sat) to carol.
    const bc = net.openChannel(bob!, carol!, {
      capacityMsat: CAP,
      pushMsat: CAP - 300_000_000,
      baseFeeMsat: 0,
      feeRatePpm: 0,
    });
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      const inv = await carol!.createInvoice({ amountMsat: 100_000_000 });
      outcomes.push(await settle(clock, alice!.pay(inv.paymentRequest)));
    }
    expect(outcomes.map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    expect(outcomes[2]).toMatchObject({ attempts: 1, failure: { reason: 'no_route' } });
    expect(bc.balance).toEqual([100_000_000, CAP - 100_000_000]);
    expect(await alice!.balances()).toMatchObject({ localMsat: CAP - 200_000_000, pendingOutMsat: 0 });
    expect(net.audit().ok).toBe(true);
  });

  it("refuses with insufficient_balance when the payer's own channels cannot carry the amount", async () => {
    const { clock, net } = makeNet();
    const [alice, bob] = ['alice', 'bob'].map((alias) => net.addNode({ alias }));
    net.openChannel(alice!, bob!, { capacityMsat: 100_000_000, pushMsat: 50_000_000 });
    const inv = await bob!.createInvoice({ amountMsat: 60_000_000 });
    const p = await settle(clock, alice!.pay(inv.paymentRequest));
    expect(p).toMatchObject({ status: 'failed', attempts: 0, failure: { reason: 'insufficient_balance' } });
  });
});

describe('the route cache', () => {
  it('does not reuse a cached route through an own peer that went offline', async () => {
    const { clock, net, alice, bob, carol, dave } = diamond();
    const pay = async () =>
      settle(clock, alice.pay((await dave.createInvoice({ amountMsat: 10_000_000 })).paymentRequest));
    expect(await pay()).toMatchObject({ status: 'succeeded', feeMsat: 200 });
    expect(await pay()).toMatchObject({ status: 'succeeded', feeMsat: 200 });
    expect(net.routeCacheStats().hits).toBe(1); // the second payment reused the first one's route
    net.setOnline(bob, false);
    expect(await pay()).toMatchObject({ status: 'succeeded', attempts: 1, feeMsat: 7_000 });
    expect(net.feesEarnedMsat(carol)).toBe(7_000);
  });
});

describe('nodes on one router', () => {
  it('routes through a node whose channels go to two routers, and past one whose channels all go to one router', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, hubA, relay, hubB, bob, leaf] = ['alice', 'hubA', 'relay', 'hubB', 'bob', 'leaf'].map(
      (alias) => net.addNode({ alias }),
    );
    const fees = (baseFeeMsat: number) => ({
      capacityMsat: CAP,
      pushMsat: CAP / 2,
      baseFeeMsat,
      feeRatePpm: 0,
    });
    net.openChannel(alice!, hubA!, fees(0));
    net.openChannel(hubA!, relay!, fees(100));
    net.openChannel(relay!, hubB!, fees(200));
    net.openChannel(hubB!, bob!, fees(300));
    // Two channels, both to hubA, free to use: still a dead end, never a way to bob.
    net.openChannel(leaf!, hubA!, fees(0));
    net.openChannel(leaf!, hubA!, fees(0));

    const inv = await bob!.createInvoice({ amountMsat: 1_000_000 });
    const p = await settle(clock, alice!.pay(inv.paymentRequest));

    expect(p).toMatchObject({ status: 'succeeded', attempts: 1, feeMsat: 100 + 200 + 300 });
    expect([hubA, relay, hubB, leaf].map((n) => net.feesEarnedMsat(n!))).toEqual([100, 200, 300, 0]);
  });

  it('pays from a payer whose channels all go to one router over the first one that can carry the amount', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, hub, bob] = ['alice', 'hub', 'bob'].map((alias) => net.addNode({ alias }));
    // The first channel holds too little; the next two hold enough, and tie: the earlier one is used (seeded runs rely on it).
    const poor = net.openChannel(alice!, hub!, { capacityMsat: CAP, pushMsat: CAP - 500_000 });
    const first = net.openChannel(alice!, hub!, { capacityMsat: CAP });
    const second = net.openChannel(alice!, hub!, { capacityMsat: CAP });
    net.openChannel(hub!, bob!, { capacityMsat: CAP, pushMsat: CAP / 2 });

    const inv = await bob!.createInvoice({ amountMsat: 1_000_000 });
    const p = await settle(clock, alice!.pay(inv.paymentRequest));

    expect(p).toMatchObject({ status: 'succeeded', attempts: 1, hops: 2 });
    expect([poor, first, second].map((ch) => ch.balance[0])).toEqual([
      500_000,
      CAP - 1_000_000 - p.feeMsat,
      CAP,
    ]);
  });
});
