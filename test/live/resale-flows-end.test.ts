/**
 * In a resale market the brokers' restocks end: a restock has no step after
 * its payment, so its flow ends with its purchase record, and the broker is
 * idle again (red team: "broker-1 → bulk-feed-0 pay (route)" stayed in flight
 * after `finished`). The sub-agents' group carries the budget its scenario
 * gives them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LiveServer } from '../../sim/live/server.js';
import { LiveState } from '../../sim/live/state.js';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import type { Snapshot } from '../../sim/live/snapshot.js';
import { startDemo, until } from './harness.js';
import { Viewer } from './control-viewer.js';

describe('a live resale run, as a viewer sees it at its end', () => {
  let server: LiveServer | undefined;
  let viewer: Viewer | undefined;
  let last: Snapshot;

  beforeAll(async () => {
    const demo = await startDemo({ durationSec: 60 }, { speed: 50 }, 'resale');
    server = demo.server;
    viewer = await Viewer.open(server);
    await demo.market.done;
    await until('the finished snapshot', () => viewer!.snapshot?.status === 'finished', 10_000);
    last = viewer.snapshot!;
  }, 120_000);
  afterAll(async () => {
    viewer?.close();
    await server?.close();
  });

  test('no purchase is still in flight and every agent is idle, the brokers included', () => {
    expect(last.totals.byOutcome).toEqual({ success: 69 });
    expect(last.recent.some((r) => r.role === 'reseller')).toBe(true);
    expect(last.flows).toEqual([]);
    expect(last.agents.filter((a) => a.phase !== 'idle').map((a) => `${a.name}: ${a.phase}`)).toEqual([]);
    expect(last.phases).toEqual({ discover: 0, quote: 0, decide: 0, pay: 0, consume: 0 });
  });

  test("each group's budget is its scenario's: the sub-agents' 2 brokers x 6 x 100,000 msat", () => {
    expect(Object.fromEntries(last.groups.map((g) => [g.name, [g.role, g.agents, g.budgetMsat]]))).toEqual({
      retail: ['buyer', 4, 1_200_000],
      'broker sub-agents': ['sub-agent', 12, 1_200_000],
      broker: ['reseller', 2, 0],
    });
  });
});

const step = (t: number, buyer: string, data: Record<string, unknown>) =>
  ({
    kind: 'event',
    t,
    type: 'step',
    data: { buyer, url: 'http://bulk-feed-0.sellers.sim/v1/bundle', ...data },
  }) as const;

/** The fields of a purchase row the live state reads. */
function row(buyer: string, role: PurchaseRow['role'], endMs: number): PurchaseRow {
  const fields = {
    buyer,
    group: buyer.replace(/-\d+$/, ''),
    role,
    seller: 'bulk-feed-0',
    outcome: 'success',
  };
  return { ...fields, endMs, paidMsat: 40_000, feeMsat: 12, hops: 2 } as unknown as PurchaseRow;
}

describe('LiveState: a purchase record ends its flow', () => {
  test('a restock paid (no step after its payment) ends at its record, and its broker is idle', () => {
    const s = new LiveState();
    s.agent('broker-1', 'broker', 'reseller');
    s.apply(step(1, 'broker-1', { step: 'challenge', amountMsat: 40_000 }));
    s.apply(step(2, 'broker-1', { step: 'authorize', decision: 'allow', amountMsat: 40_000 }));
    s.apply(step(3, 'broker-1', { step: 'pay', ok: true, hops: 2 }));
    expect([s.view().flows.length, s.agents.get('broker-1')!.phase]).toEqual([1, 'pay']);
    s.apply({ kind: 'purchase', row: row('broker-1', 'reseller', 3) });
    expect([s.view().flows, s.agents.get('broker-1')!.phase]).toEqual([[], 'idle']);
  });

  test('a buyer with a task in progress keeps its phase at a purchase record; its flow ends', () => {
    const s = new LiveState();
    s.agent('retail-0', 'retail', 'buyer');
    s.apply({ kind: 'task_start', t: 0, buyer: 'retail-0', group: 'retail', role: 'buyer' });
    s.apply(step(1, 'retail-0', { step: 'challenge', amountMsat: 3_000 }));
    s.apply(step(2, 'retail-0', { step: 'pay', ok: true, hops: 2 }));
    s.apply({ kind: 'purchase', row: row('retail-0', 'buyer', 2) });
    expect([s.view().flows, s.agents.get('retail-0')!.phase]).toEqual([[], 'pay']);
  });
});
