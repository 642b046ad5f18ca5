/**
 * A payment settling back along its route (the payee has settled, the preimage travels back one
 * hop update at a time) is read back as still in flight by `SimNetwork.settling`: a ledger read
 * mid-settlement then balances, each node holding what it held while the HTLCs were locked.
 */
import { describe, expect, it } from 'vitest';
import { createRng, insecureSeededSecrets } from '../../infra/random.js';
import { SimNetwork } from '../../infra/lightning/simnet/network.js';
import { fixedLatency } from '../../infra/lightning/simnet/latency.js';
import { VIRTUAL_EPOCH_MS, VirtualClock } from '../../infra/time/virtual-clock.js';

async function line() {
  const clock = new VirtualClock();
  const net = new SimNetwork({
    clock,
    rng: createRng(1),
    secrets: insecureSeededSecrets(createRng(2)),
    latency: fixedLatency(10),
  });
  const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((alias) => net.addNode({ alias }));
  net.openChannel(alice!, bob!, { capacityMsat: 1_000_000 });
  net.openChannel(bob!, carol!, { capacityMsat: 1_000_000 });
  const invoice = await carol!.createInvoice({ amountMsat: 50_000 });
  const holdings = async () =>
    Promise.all(
      [alice!, bob!, carol!].map(async (n) => {
        const b = await n.balances();
        return b.localMsat + b.pendingOutMsat + (net.settling.readBack().get(n.index) ?? 0);
      }),
    );
  return { clock, net, alice: alice!, invoice, holdings };
}

describe('a payment settling back along its route', () => {
  it('reads as in flight mid-settlement (carol paid, alice not charged yet), then as settled', async () => {
    const { clock, alice, invoice, holdings } = await line();
    const before = await holdings();
    const paid = alice.pay(invoice.paymentRequest);
    // Locked at +10 and +20 ms; carol's hop settles at +30, alice's at +40.
    await clock.advanceTo(VIRTUAL_EPOCH_MS + 30);
    expect(await holdings()).toEqual(before);
    await clock.advanceTo(VIRTUAL_EPOCH_MS + 40);
    const p = await paid;
    expect([p.status, p.feeMsat]).toEqual(['succeeded', 1_000]);
    expect((await holdings()).map((h, i) => h - before[i]!)).toEqual([-51_000, 1_000, 50_000]);
  });
});
