/**
 * A reseller's origin is the seller whose bundle is cheapest: its registry search names the tier it
 * buys (`tier=bundle`) and keeps only sellers of bundles (`sells=bundle`). Before, it ranked sellers
 * by their cheapest tier of any kind: a 1-msat single call beside a 50,000-msat bundle made a decoy
 * its origin over an honest 20,000-msat bundle, and with a search of one listing a seller of single
 * calls only took the one place, leaving it no origin at all.
 */
import { describe, expect, it } from 'vitest';
import { parsePurchasesCsv } from '../../sim/metrics/csv.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { loadScenarioText } from '../../sim/scenario/load.js';

/** decoy: a 1-msat single first, a 50,000 bundle after; honest: a 20,000 bundle; plain: 2,000 single calls. */
const MARKET = (searchLimit: number) => `
name: reseller-origin
seed: 1
durationSec: 60
drainSec: 30
network:
  topology: { kind: ring, routers: 2 }
  hopLatency: { meanMs: 10, sdMs: 0 }
registry: { searchLimit: ${searchLimit} }
sellers:
  - { name: decoy, archetype: data-feed, price: { kind: fixed, msat: 1 }, tiers: [{ kind: single }, { kind: bundle, calls: 10, priceMsat: 50000 }] }
  - { name: honest, archetype: data-feed, price: { kind: fixed, msat: 2500 }, tiers: [{ kind: bundle, calls: 10, priceMsat: 20000 }] }
  - { name: plain, archetype: data-feed, price: { kind: fixed, msat: 2000 } }
buyers:
  - name: retail
    policy: { name: allow_all }
    budgetMsat: 100000
    arrivals: { process: fixed, everySec: 600 }
    tasks:
      - capability: anomalies:read
        value: { dist: fixed, msat: 5000 }
resellers:
  - name: broker
    capability: anomalies:read
    sliceCalls: 2
    balanceMsat: 200000
    subAgents:
      count: 1
      budgetMsat: 50000
      arrivals: { process: fixed, everySec: 30 }
      value: { dist: fixed, msat: 10000 }
`;

/** The reseller's bundle purchases: whom it bought from and what it paid. */
async function restocks(searchLimit: number): Promise<string[]> {
  const purchases = new MemorySink();
  const scenario = loadScenarioText(MARKET(searchLimit), { checks: scenarioChecks });
  await runScenario(scenario, { seed: 1, sinks: { purchases } });
  return parsePurchasesCsv(purchases.text())
    .filter((r) => r.role === 'reseller')
    .map((r) => `${r.seller} ${r.stage} ${r.tierKind}:${r.tierCalls} paid ${r.paidMsat}`);
}

describe("a reseller's origin search names the tier it buys and keeps sellers of bundles", () => {
  it.each([1, 5])(
    'searchLimit %i: it buys its bundles from honest at 20,000 msat, not the decoy (50,000) or plain (no bundle)',
    async (searchLimit) => {
      expect(await restocks(searchLimit)).toEqual(['honest-0 acquire bundle:10 paid 20000']);
    },
  );
});
