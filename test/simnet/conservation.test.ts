import { describe, expect, it } from 'vitest';
import { randomLoad } from './load.js';

describe('conservation under random concurrent load', () => {
  it('keeps every msat: balances plus in-flight never change, and each node ends exactly where its payments say', async () => {
    const r = await randomLoad(11);
    expect(r.auditFailures).toEqual([]);
    expect(r.audits).toBeGreaterThan(100);
    const audit = r.net.audit();
    expect(audit.ok).toBe(true);
    expect(audit.totalMsat).toBe(audit.expectedMsat);

    const statuses = new Set(r.payments.map((p) => p.payment.status));
    expect(statuses).toEqual(new Set(['succeeded', 'failed'])); // nothing left in flight
    const reasons = new Set(r.payments.map((p) => p.payment.failure?.reason).filter(Boolean));
    expect(reasons.has('canceled')).toBe(true);

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
