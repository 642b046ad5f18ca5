import { describe, expect, it } from 'vitest';
import { VIRTUAL_EPOCH_MS } from '../../infra/time/virtual-clock.js';
import { randomLoad } from './load.js';

describe('conservation under random concurrent load', () => {
  it('keeps every msat over 400 seeded payments (seed 11), audited 2,118 times: balances plus in-flight never change, and each node ends exactly where its payments say', async () => {
    const r = await randomLoad(11);
    expect(r.auditFailures).toEqual([]);
    // One audit every 7 ms of the 14,826 ms the load runs for.
    expect([r.endedAt - VIRTUAL_EPOCH_MS, r.audits]).toEqual([14_826, 2_118]);
    const audit = r.net.audit();
    expect(audit.ok).toBe(true);
    expect(audit.totalMsat).toBe(audit.expectedMsat);

    // Every payment ended (nothing left in flight), among them hold invoices canceled by the payee.
    const outcomes: Record<string, number> = {};
    for (const { payment: p } of r.payments) {
      const key = p.failure ? `${p.status}: ${p.failure.reason}` : p.status;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    expect(outcomes).toEqual({
      succeeded: 333,
      'failed: canceled': 39,
      'failed: no_route': 12,
      'failed: insufficient_balance': 7,
      'failed: recipient_offline': 6,
      'failed: error': 3, // the payer itself was offline
    });

    // Per node: change in local balance = received − sent − fees paid + fees earned, to the msat.
    const delta = new Map<number, number>();
    const add = (n: number, v: number) => delta.set(n, (delta.get(n) ?? 0) + v);
    for (const { payer, payee, payment } of r.payments) {
      if (payment.status !== 'succeeded') continue;
      add(payer, -(payment.amountMsat + payment.feeMsat));
      add(payee, payment.amountMsat);
    }
    const capacities = new Map<number, number>();
    for (const ch of r.net.graph.channels) {
      // Topology channels start balanced: each side begins with capacity − floor(capacity/2) or floor(capacity/2).
      capacities.set(
        ch.nodes[0],
        (capacities.get(ch.nodes[0]) ?? 0) + ch.capacityMsat - Math.floor(ch.capacityMsat / 2),
      );
      capacities.set(ch.nodes[1], (capacities.get(ch.nodes[1]) ?? 0) + Math.floor(ch.capacityMsat / 2));
    }
    for (const node of r.nodes) {
      const b = await node.balances();
      expect(b.pendingOutMsat + b.pendingInMsat).toBe(0);
      const expected =
        capacities.get(node.index)! + (delta.get(node.index) ?? 0) + r.net.feesEarnedMsat(node);
      expect(b.localMsat).toBe(expected);
    }
  });
});
