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

  const issues = (overrides: Record<string, unknown>) => {
    try {
      loadScenario('price-war', { overrides, checks: scenarioChecks });
      return [];
    } catch (err) {
      return (err as ScenarioError).issues;
    }
  };
  /** price-war's rival-0 (4,000 msat a call) repricing by demand with these fields. */
  const demand = (fields: Record<string, unknown>) => ({
    'sellers[0].pricing': { strategy: 'demand', everySec: 10, stepMsat: 500, highSales: 3, ...fields },
  });

  it('refuses a starting price above pricing.ceilingMsat, at price.msat (it sold at 3,000 above a 2,000 ceiling)', () => {
    expect(
      issues({ ...demand({ floorMsat: 1000, ceilingMsat: 2000 }), 'sellers[0].price.msat': 3000 }),
    ).toEqual([
      {
        path: 'sellers[0].price.msat',
        message:
          'expected a starting price at most pricing.ceilingMsat (2000 msat), got 3000: buyers would pay above the ceiling until its first repricing step; lower price.msat or raise pricing.ceilingMsat',
      },
    ]);
  });

  it('refuses a starting price below the floor, pricing.floorMsat or (left out) costMsat, at price.msat', () => {
    expect(issues(demand({ floorMsat: 4500, ceilingMsat: 6000 }))).toEqual([
      {
        path: 'sellers[0].price.msat',
        message:
          'expected a starting price at least the floor (4500 msat: pricing.floorMsat), got 4000: buyers would pay below the floor until its first repricing step; raise price.msat or lower pricing.floorMsat',
      },
    ]);
    expect(issues({ ...demand({ ceilingMsat: 6000 }), 'sellers[0].costMsat': 5000 })).toEqual([
      {
        path: 'sellers[0].price.msat',
        message:
          'expected a starting price at least the floor (5000 msat: costMsat, the floor when pricing.floorMsat is left out), got 4000: buyers would pay below the floor until its first repricing step; raise price.msat or set a lower pricing.floorMsat',
      },
    ]);
    expect(issues(demand({ floorMsat: 4000, ceilingMsat: 4000 }))).toEqual([]);
  });

  it('refuses lowSales at or above highSales, at lowSales', () => {
    expect(issues(demand({ lowSales: 3 }))).toEqual([
      {
        path: 'sellers[0].pricing.lowSales',
        message:
          'expected lowSales below highSales (3), got 3: an interval of 3 sales would call for both a rise and a fall; lower lowSales or raise highSales',
      },
    ]);
    expect(issues(demand({ lowSales: 2 }))).toEqual([]);
  });

  it('reports a floor above the ceiling of a seller another buys upstream from, instead of throwing', () => {
    const upstreamBuyer = {
      name: 'chain',
      archetype: 'compute',
      price: { kind: 'fixed', msat: 9000 },
      balanceMsat: 1_000_000,
      upstream: [{ capability: 'anomalies:read', maxPriceMsat: 9000 }],
    };
    expect(issues({ 'sellers[1]': upstreamBuyer, 'sellers[0].pricing.floorMsat': 5000 })).toEqual([
      {
        path: 'sellers[0].pricing.floorMsat',
        message: 'expected a floor (5000 msat) at most the ceiling (4000 msat)',
      },
    ]);
  });
});
