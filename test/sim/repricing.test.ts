import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { loadScenario } from '../../sim/scenario/load.js';
import type { ScenarioError } from '../../sim/scenario/errors.js';
import { runScenario } from '../../sim/run.js';

/** price-war's market for 60 s, its two rivals repricing by demand instead of undercutting. */
const demandMarket = {
  durationSec: 60,
  drainSec: 10,
  'sellers[0].pricing': {
    strategy: 'demand',
    everySec: 10,
    stepMsat: 250,
    highSales: 4,
    lowSales: 1,
    ceilingMsat: 6000,
  },
};

describe('repricing in a running market', () => {
  it('demand: a rival raises after a busy interval and lowers after a slow one (seed 1, from events.jsonl)', async () => {
    const scenario = loadScenario('price-war', { overrides: demandMarket, checks: scenarioChecks });
    const events = new MemorySink();
    const { summary } = await runScenario(scenario, { seed: 1, sinks: { events } });
    const steps = events
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.type === 'reprice')
      .map((e) => [e.t, e.seller, e.sales, e.move, e.toMsat]);
    // [t, seller, sales seen since its last step, move, new price]: 4+ sales raise, 0–1 lower, 2–3 hold.
    expect(steps).toEqual([
      [5000, 'rival-0', 0, 'lower', 3750],
      [10000, 'rival-1', 5, 'raise', 4250],
      [15000, 'rival-0', 11, 'raise', 4000],
      [20000, 'rival-1', 0, 'lower', 4000],
      [25000, 'rival-0', 6, 'raise', 4250],
      [30000, 'rival-1', 8, 'raise', 4250],
      [35000, 'rival-0', 0, 'lower', 4000],
      [40000, 'rival-1', 4, 'raise', 4500],
      [45000, 'rival-0', 7, 'raise', 4250],
      [50000, 'rival-1', 0, 'lower', 4250],
      [55000, 'rival-0', 2, 'hold', 4250],
    ]);
    // summary.json keeps the prices posted (a hold posts nothing).
    expect(summary.postedPrices!['rival-1']!.map((p) => [p.atMs, p.msat, p.move])).toEqual([
      [0, 4000, 'start'],
      [10000, 4250, 'raise'],
      [20000, 4000, 'lower'],
      [30000, 4250, 'raise'],
      [40000, 4500, 'raise'],
      [50000, 4250, 'lower'],
    ]);
  }, 120_000);

  it('refuses pricing on a dynamically priced seller, and a floor above the ceiling, naming the field', () => {
    const issues = (overrides: Record<string, unknown>) => {
      try {
        loadScenario('price-war', { overrides, checks: scenarioChecks });
        return [];
      } catch (err) {
        return (err as ScenarioError).issues;
      }
    };
    expect(
      issues({
        'sellers[0].price': {
          kind: 'dynamic',
          baseMsat: 2000,
          perLoadMsat: 100,
          minMsat: 1000,
          maxMsat: 3000,
        },
      }),
    ).toEqual([
      {
        path: 'sellers[0].pricing',
        message: 'repricing needs a fixed price (price.kind: fixed), got dynamic',
      },
    ]);
    expect(issues({ 'sellers[0].costMsat': 5000 })).toEqual([
      {
        path: 'sellers[0].pricing.floorMsat',
        message: 'expected a floor (5000 msat) at most the ceiling (4000 msat)',
      },
    ]);
  });
});
