/**
 * A fault on a router is judged by the payments under way after it: a purchase row names its buyer and
 * seller, never the nodes its route crossed, so a router fault "changed nothing" only when no payment
 * at all was under way at or after it. Faults on buyers and sellers are judged by the attempts naming
 * them that were under way (not merely started) at or after the fault.
 */
import { describe, expect, it } from 'vitest';
import type { PurchaseRow } from '../../sim/metrics/rows.js';
import { RunActivity } from '../../sim/metrics/warnings.js';
import { loadScenarioText } from '../../sim/scenario/load.js';
import { runScenario } from '../../sim/run.js';

/** The only hub of a star goes offline halfway: every payment after it has no route. */
const HUB_OFF = `
name: hub-off
seed: 3
durationSec: 40
drainSec: 0
network:
  topology: { kind: hub_and_spoke, hubs: 1 }
  hopLatency: 20
sellers:
  - name: honest
    count: 2
    archetype: data-feed
    price: { kind: fixed, msat: 3000 }
buyers:
  - name: shopper
    count: 3
    decider: { name: random }
    policy: { name: max_per_request, params: { maxMsat: 6000 } }
    budgetMsat: 300000
    arrivals: { process: poisson, ratePerMin: 10 }
    tasks:
      - capability: anomalies:read
        value: { dist: fixed, msat: 8000 }
faults:
  - { kind: node_offline, atSec: 20, node: router-0 }
`;

type Row = Pick<PurchaseRow, 'buyer' | 'seller' | 'endMs' | 'outcome' | 'failure' | 'steps'>;

/** A buyer's attempt at seller feed-0 from `startMs` to `endMs`, with a pay step unless `paid` is false. */
function attempt(startMs: number, endMs: number, p: Partial<Row> & { paid?: boolean } = {}): Row {
  const { paid = true, ...rest } = p;
  const pay = { atMs: startMs, ms: endMs - startMs };
  return {
    buyer: 'shopper-0',
    seller: 'feed-0',
    endMs,
    outcome: 'success',
    failure: '',
    steps: paid ? { pay } : {},
    ...rest,
  };
}

function warningsOf(rows: Row[], faults: { atMs: number; kind: string; target: string }[]): string[] {
  const a = new RunActivity();
  for (const r of rows) a.purchase(r);
  return a.warnings(['feed-0'], faults);
}

describe('the run warning of a fault that changed nothing', () => {
  it('the hub going offline (every later payment fails no_route) gets no "changed nothing" warning', async () => {
    const { summary } = await runScenario(loadScenarioText(HUB_OFF));
    expect(summary.faults.map((f) => [f.atMs, f.kind, f.target])).toEqual([
      [20_000, 'node_offline', 'router-0'],
    ]);
    expect(summary.purchases.byFailure).toEqual({ no_route: 20 });
    expect(summary.warnings).toEqual([]);
  }, 60_000);

  it('a router fault after every payment ended is reported: no payment was under way at or after it', () => {
    expect(warningsOf([attempt(0, 900)], [{ atMs: 1000, kind: 'node_offline', target: 'router-0' }])).toEqual(
      ['fault node_offline on router-0 at 1000 ms changed nothing: no payment was under way at or after it'],
    );
  });

  it('a router fault while a payment is under way (started before, ended after) is not reported', () => {
    expect(
      warningsOf([attempt(500, 1500)], [{ atMs: 1000, kind: 'drain_channel', target: 'router-1' }]),
    ).toEqual([]);
  });

  it('a router fault after an attempt that tried no payment (a held token) is reported', () => {
    const held = attempt(1200, 1300, { paid: false });
    expect(
      warningsOf([attempt(0, 900), held], [{ atMs: 1000, kind: 'node_offline', target: 'router' }]),
    ).toEqual([
      'fault node_offline on router at 1000 ms changed nothing: no payment was under way at or after it',
    ]);
  });

  it('a payment still in flight when its buyer stopped waiting counts as under way to the run end', () => {
    const unknown = attempt(0, 900, { outcome: 'payment_timeout', failure: 'unknown' });
    expect(warningsOf([unknown], [{ atMs: 50_000, kind: 'node_offline', target: 'router-0' }])).toEqual([]);
  });

  it('a seller fault during an attempt at it (started before, ended after) is not reported; one after it is', () => {
    const faults = [
      { atMs: 1000, kind: 'node_offline', target: 'feed-0' },
      { atMs: 2000, kind: 'node_offline', target: 'feed' },
    ];
    expect(warningsOf([attempt(500, 1500)], faults)).toEqual([
      'fault node_offline on feed at 2000 ms changed nothing: no purchase involved feed at or after it',
    ]);
  });

  it('a node coming back online is never reported', () => {
    expect(warningsOf([attempt(0, 900)], [{ atMs: 1000, kind: 'node_online', target: 'router-0' }])).toEqual(
      [],
    );
  });
});
