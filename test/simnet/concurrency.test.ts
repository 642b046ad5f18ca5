import { describe, expect, it } from 'vitest';
import { fixedLatency, lognormalLatency } from '../../infra/lightning/simnet/index.js';
import { makeNet } from './helpers.js';

const CAP = 1_000_000_000;

describe('concurrent payments', () => {
  it('never spend one channel balance twice: of two payments that each fit alone, one fails', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias }));
    net.openChannel(alice!, bob!, { capacityMsat: CAP, baseFeeMsat: 0, feeRatePpm: 0 });
    // bob can forward 150k sat − 10k sat reserve = 140k sat: one 100k-sat payment, not two.
    const bc = net.openChannel(bob!, carol!, {
      capacityMsat: CAP,
      pushMsat: CAP - 150_000_000,
      baseFeeMsat: 0,
      feeRatePpm: 0,
    });
    const invs = await Promise.all([1, 2].map(() => carol!.createInvoice({ amountMsat: 100_000_000 })));
    const both = Promise.all(invs.map((inv) => alice!.pay(inv.paymentRequest)));
    // Both HTLCs are on their way before either reaches bob → carol.
    await clock.advance(10);
    expect(bc.inFlight).toEqual([0, 0]);
    await clock.runUntilIdle();
    const results = await both;
    expect(results.map((p) => p.status).sort()).toEqual(['failed', 'succeeded']);
    expect(bc.balance).toEqual([50_000_000, CAP - 50_000_000]);
    expect(bc.inFlight).toEqual([0, 0]);
    expect(net.audit().ok).toBe(true);
  });

  it('lock liquidity while in flight, so a payment sent during another one sees less', async () => {
    const { clock, net } = makeNet({ latency: fixedLatency(10) });
    const [alice, bob] = ['alice', 'bob'].map((alias) => net.addNode({ alias }));
    const ch = net.openChannel(alice!, bob!, { capacityMsat: 200_000_000, reserveMsat: 0 });
    const first = alice!.pay((await bob!.createInvoice({ amountMsat: 150_000_000 })).paymentRequest);
    await clock.advance(10); // the first HTLC is locked on the channel
    expect(ch.inFlight[0]).toBe(150_000_000);
    expect(await alice!.balances()).toMatchObject({ localMsat: 50_000_000, pendingOutMsat: 150_000_000 });
    const second = await alice!.pay((await bob!.createInvoice({ amountMsat: 100_000_000 })).paymentRequest);
    expect(second.failure?.reason).toBe('insufficient_balance');
    await clock.runUntilIdle();
    expect((await first).status).toBe('succeeded');
  });

  it('keep every channel within its balance under a burst of 300 payments through one hub: 192 succeed, 108 find no route once the hub has drained its channels to the reserve', async () => {
    const { clock, net } = makeNet({ latency: lognormalLatency(30, 0.8), seed: 'burst' });
    const hub = net.addNode({ alias: 'hub' });
    const payers = Array.from({ length: 10 }, (_, i) => net.addNode({ alias: `payer-${i}` }));
    const payees = Array.from({ length: 5 }, (_, i) => net.addNode({ alias: `payee-${i}` }));
    for (const p of payers) net.openChannel(p, hub, { capacityMsat: 100_000_000 });
    const out = payees.map((p) => net.openChannel(hub, p, { capacityMsat: 50_000_000 }));
    const invoices = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        payees[i % 5]!.createInvoice({ amountMsat: 1_000_000 + (i % 7) * 100_000 }),
      ),
    );
    const all = Promise.all(invoices.map((inv, i) => payers[i % 10]!.pay(inv.paymentRequest)));
    // The hub's least headroom above the reserve on any outgoing channel, sampled every 5 ms.
    let lowest = Infinity;
    for (let t = 0; t < 2_000 && clock.pending > 0; t += 5) {
      await clock.advance(5);
      for (const c of out) lowest = Math.min(lowest, c.balance[0] - c.reserveMsat);
      expect(net.audit().ok).toBe(true);
    }
    await clock.runUntilIdle();
    const results = await all;
    const outcomes: Record<string, number> = {};
    for (const p of results) {
      const key = p.failure ? `${p.status}: ${p.failure.reason}` : p.status;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    expect(outcomes).toEqual({ succeeded: 192, 'failed: no_route': 108 });
    expect(lowest).toBe(0); // drained to the reserve, never below
    // Each payee received at most what the hub could send it (50,000,000 − 500,000 reserve), and exactly what its channel moved.
    const delivered = [0, 1, 2, 3, 4].map((i) =>
      results.reduce((sum, p, j) => (j % 5 === i && p.status === 'succeeded' ? sum + p.amountMsat : sum), 0),
    );
    expect(delivered).toEqual([49_100_000, 49_500_000, 49_500_000, 49_400_000, 49_300_000]);
    expect(out.map((c) => [c.reserveMsat, c.balance[1]])).toEqual(delivered.map((d) => [500_000, d]));
    expect(net.audit().ok).toBe(true);
  });
});
