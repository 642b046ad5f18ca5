import { describe, expect, it } from 'vitest';
import { fixedLatency } from '../../infra/lightning/simnet/index.js';
import { makeNet, settle } from './helpers.js';

// alice → bob → carol → dave, each forwarding node with its own policy.
function chain() {
  const { clock, net } = makeNet({ latency: fixedLatency(10) });
  const [alice, bob, carol, dave] = ['alice', 'bob', 'carol', 'dave'].map((alias) => net.addNode({ alias }));
  const cap = 10_000_000_000;
  const ab = net.openChannel(alice!, bob!, { capacityMsat: cap, baseFeeMsat: 0, feeRatePpm: 0 });
  const bc = net.openChannel(bob!, carol!, { capacityMsat: cap, baseFeeMsat: 1_000, feeRatePpm: 2_500 });
  const cd = net.openChannel(carol!, dave!, { capacityMsat: cap, baseFeeMsat: 500, feeRatePpm: 100 });
  return { clock, net, alice: alice!, bob: bob!, carol: carol!, dave: dave!, ab, bc, cd, cap };
}

describe('a multi-hop payment', () => {
  it('pays each forwarding node base + ppm of what it forwards, computed backwards from the payee', async () => {
    const { clock, net, alice, bob, carol, dave, ab, bc, cd, cap } = chain();
    const amount = 1_234_567;
    const inv = await dave.createInvoice({ amountMsat: amount, memo: 'forecast' });
    const p = await settle(clock, alice.pay(inv.paymentRequest));

    // carol forwards `amount` over cd: fee 500 + floor(1_234_567 × 100 / 1e6) = 500 + 123.
    const carolFee = 500 + 123;
    // bob forwards amount + carolFee over bc: 1_000 + floor(1_235_190 × 2_500 / 1e6) = 1_000 + 3_087.
    const bobFee = 1_000 + 3_087;
    expect(p).toMatchObject({ status: 'succeeded', amountMsat: amount, feeMsat: carolFee + bobFee, hops: 3 });
    expect(net.feesEarnedMsat(carol)).toBe(carolFee);
    expect(net.feesEarnedMsat(bob)).toBe(bobFee);
    // Each channel moved exactly what crossed it.
    expect(ab.balance).toEqual([cap - amount - carolFee - bobFee, amount + carolFee + bobFee]);
    expect(bc.balance).toEqual([cap - amount - carolFee, amount + carolFee]);
    expect(cd.balance).toEqual([cap - amount, amount]);
    expect(net.audit().ok).toBe(true);
    const a = await alice.balances();
    expect(a).toMatchObject({ localMsat: cap - amount - carolFee - bobFee, pendingOutMsat: 0, channels: 1 });
  });

  it('reveals the preimage whose hash is the invoice hash, and settles the invoice', async () => {
    const { clock, alice, dave } = chain();
    const inv = await dave.createInvoice({ amountMsat: 50_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest, { maxFeeMsat: 5_000 }));
    expect(p.preimage).toBe(inv.preimage);
    const settled = await dave.lookupInvoice(inv.paymentHash);
    expect(settled).toMatchObject({ state: 'settled', amountPaidMsat: 50_000 });
    expect(await alice.lookupPayment(inv.paymentHash)).toMatchObject({
      status: 'succeeded',
      preimage: inv.preimage,
    });
  });

  it('takes one latency draw per hop forward and one per hop back', async () => {
    const { clock, alice, dave } = chain();
    const inv = await dave.createInvoice({ amountMsat: 50_000 });
    const p = await settle(clock, alice.pay(inv.paymentRequest, { maxFeeMsat: 5_000 }));
    expect(p.status).toBe('succeeded');
    expect(p.resolvedAt! - p.createdAt).toBe(3 * 2 * 10);
  });

  it('refuses with fee_limit_exceeded when every route costs more than maxFeeMsat', async () => {
    const { clock, net, alice, dave, ab } = chain();
    const inv = await dave.createInvoice({ amountMsat: 50_000 });
    // The only route costs 505 (carol) + 1_126 (bob) = 1_631 msat.
    const p = await settle(clock, alice.pay(inv.paymentRequest, { maxFeeMsat: 1_630 }));
    expect(p).toMatchObject({
      status: 'failed',
      feeMsat: 0,
      attempts: 0,
      failure: { reason: 'fee_limit_exceeded' },
    });
    expect(p.failure!.message).toContain('1631');
    expect(ab.inFlight).toEqual([0, 0]);
    const ok = await settle(clock, alice.pay(inv.paymentRequest, { maxFeeMsat: 1_631 }));
    expect(ok).toMatchObject({ status: 'succeeded', feeMsat: 1_631 });
    expect(net.audit().ok).toBe(true);
  });

  it('charges no fee on a direct channel', async () => {
    const { clock, alice, bob } = chain();
    const inv = await bob.createInvoice({ amountMsat: 77_777 });
    const p = await settle(clock, alice.pay(inv.paymentRequest));
    expect(p).toMatchObject({ status: 'succeeded', feeMsat: 0, hops: 1 });
  });
});
