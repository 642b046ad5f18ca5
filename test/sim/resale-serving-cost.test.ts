import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { rebuildAggregates } from '../../sim/metrics/rebuild.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { runScenario } from '../../sim/run.js';
import { loadScenarioText } from '../../sim/scenario/load.js';

/** One origin serving each call at a cost of 100 msat, one broker reselling its bundles to 6 sub-agents. */
const SCENARIO = `
name: resale-serving-cost
seed: 1
durationSec: 180
drainSec: 60
network:
  topology: { kind: hub_and_spoke, hubs: 1 }
  hopLatency: { meanMs: 15, sdMs: 5 }
sellers:
  - name: bulk-feed
    archetype: data-feed
    price: { kind: fixed, msat: 3000 }
    tiers: [{ kind: single }, { kind: bundle, calls: 20, priceMsat: 40000 }]
    failureRate: 0
    costMsat: 100
resellers:
  - name: broker
    count: 1
    capability: anomalies:read
    markupPpm: 250000
    sliceCalls: 1
    balanceMsat: 2000000
    subAgents:
      count: 6
      budgetMsat: 100000
      arrivals: { process: poisson, ratePerMin: 4 }
      value: { dist: fixed, msat: 5000 }
`;

/** The scenario at seed 5 with `overrides`, every output kept in memory. */
async function run(overrides: Record<string, unknown>) {
  const sinks = { purchases: new MemorySink(), tasks: new MemorySink(), events: new MemorySink() };
  const scenario = loadScenarioText(SCENARIO, { overrides, checks: scenarioChecks });
  const { summary } = await runScenario(scenario, { seed: 5, sinks });
  const rebuilt = rebuildAggregates(sinks.purchases.text(), sinks.tasks.text(), summary.durationMs);
  const events = sinks.events
    .text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { summary, rebuilt, events, rows: parsePurchasesCsv(sinks.purchases.text()) };
}

describe('resale: the origin’s cost of serving the calls it served', { timeout: 120_000 }, () => {
  it('2-call slices, origin never failing: each of the 132 delivered calls (66 slice checks, 66 held-token calls) costs the origin 100 msat, 13,200 in all', async () => {
    const { summary: s, rows } = await run({ 'resellers[0].sliceCalls': 2 });
    const cost = (tier: string) =>
      rows
        .filter((r) => r.tierKind === tier && r.stage === 'consume' && r.outcome === 'success')
        .map((r) => r.sellerCostMsat);
    expect([cost('slice').length, new Set(cost('slice'))]).toEqual([66, new Set([100])]);
    expect([cost('bundle').length, new Set(cost('bundle'))]).toEqual([66, new Set([100])]);
    expect(s.purchases.delivered).toBe(132);
    const w = s.welfare;
    expect([w.sellerCostMsat, w.sellerProfitMsat, w.totalMsat]).toEqual([13_200, 315_820, 316_800]);
    // Value earned − serving cost.
    expect(w.totalMsat).toBe(w.valueMsat - 132 * 100);
  });

  it('origin failing 45 % of calls: the broker’s 2 bundle checks are purchases.csv rows of their own (bundle-check-0, -1), served by the origin at 100 msat each, and their events carry those labels, not a restock’s', async () => {
    const { summary: s, rebuilt, rows, events } = await run({ 'sellers[0].failureRate': 0.45 });
    const checks = rows
      .filter((r) => r.taskId.startsWith('broker-0/bundle-check-'))
      .map((r) => [
        r.taskId,
        r.role,
        r.seller,
        r.stage,
        r.outcome,
        r.tierKind,
        r.tierCalls,
        r.paidMsat,
        r.tokenReused,
        r.sellerCostMsat,
      ]);
    expect(checks).toEqual([
      [
        'broker-0/bundle-check-0',
        'reseller',
        'bulk-feed-0',
        'consume',
        'success',
        'bundle',
        20,
        0,
        true,
        100,
      ],
      [
        'broker-0/bundle-check-1',
        'reseller',
        'bulk-feed-0',
        'consume',
        'success',
        'bundle',
        20,
        0,
        true,
        100,
      ],
    ]);
    // 13 slice checks delivered, and the 2 bundle checks.
    expect([s.purchases.delivered, s.welfare.sellerCostMsat, s.welfare.totalMsat]).toEqual([
      15, 1_500, 63_500,
    ]);
    // purchases.csv alone gives the same figures, the checks' rows included.
    expect([rebuilt.purchases, rebuilt.welfare, rebuilt.groups]).toEqual([s.purchases, s.welfare, s.groups]);
    // The checks paid nothing: the broker's cost is its 2 restocks.
    expect(s.resale['broker-0']).toMatchObject({ costMsat: 80_280, revenueMsat: 32_500, sales: 13 });
    const labels = new Map<string, string[]>();
    for (const e of events)
      if (e.type === 'step' && e.buyer === 'broker-0')
        labels.set(e.taskId as string, [...(labels.get(e.taskId as string) ?? []), e.step as string]);
    expect(Object.fromEntries(labels)).toEqual({
      'broker-0/restock-0': ['challenge', 'check', 'authorize', 'pay'],
      'broker-0/bundle-check-0': ['reuse'],
      'broker-0/restock-1': ['challenge', 'check', 'authorize', 'pay'],
      'broker-0/bundle-check-1': ['reuse'],
    });
    // Every label of the broker's steps is one of its rows' tasks.
    const tasks = new Set(rows.filter((r) => r.role === 'reseller').map((r) => r.taskId));
    expect([...labels.keys()].filter((t) => !tasks.has(t))).toEqual([]);
  });
});
