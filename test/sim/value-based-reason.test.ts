import { expect, it } from 'vitest';
import { loadScenarioText } from '../../sim/scenario/load.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';

/** A buyer whose value_based policy wants 400 msat over price + fee limit on tasks worth 3,333 msat a call. */
const scenario = `
name: value-based-reason
seed: 1
durationSec: 30
drainSec: 30
network:
  topology: { kind: ring, routers: 2 }
  hopLatency: { meanMs: 10, sdMs: 0 }
sellers:
  - { name: feed, archetype: data-feed, quality: 0.9, price: { kind: fixed, msat: 2000 } }
buyers:
  - name: b
    policy: { name: value_based, params: { marginMsat: 400 } }
    budgetMsat: 100000
    arrivals: { process: fixed, everySec: 20 }
    tasks:
      - { capability: anomalies:read, calls: 3, value: { dist: fixed, msat: 10000 } }
`;

it('a value_based denial in a run names the value of the calls the purchase covers and the fee limit', async () => {
  const purchases = new MemorySink();
  await runScenario(loadScenarioText(scenario, { checks: scenarioChecks }), {
    seed: 1,
    sinks: { purchases },
  });
  const denied = parsePurchasesCsv(purchases.text()).map((r) => [r.outcome, r.reason]);
  expect(denied).toEqual([
    [
      'policy_denied',
      'value_based: value of the 1 call it covers 3333 msat does not exceed price 2000 + fee limit 1000 + margin 400 = 3400 msat',
    ],
  ]);
});
