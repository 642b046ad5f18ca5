/**
 * A seller that buys upstream pays at most `maxPriceMsat` (default: its own price) for all the
 * `calls` calls it buys per call it sells: a single call at P msat needs P × calls. Below the
 * cheapest upstream offer no purchase upstream goes through and every call it sells is paid for
 * and answered 502, so validation refuses it, naming the seller, its limit and the price needed.
 */
import { describe, expect, it } from 'vitest';
import { scenarioChecks } from '../../sim/market/checks.js';
import { MemorySink } from '../../sim/metrics/sink.js';
import { runScenario } from '../../sim/run.js';
import { validateScenario } from '../../sim/scenario/load.js';
import { applyOverrides, type Overrides } from '../../sim/scenario/overrides.js';
import { scenarioSchema } from '../../sim/scenario/schema.js';

/** "research" sells anomalies:read at 2,000 msat; "analysis" (6,000 msat) buys 2 of them per call it sells. */
const chain = (overrides: Overrides = {}) =>
  applyOverrides(
    {
      name: 'chain',
      durationSec: 20,
      drainSec: 10,
      network: { topology: { kind: 'ring', routers: 3 }, hopLatency: { meanMs: 20, sdMs: 5 } },
      sellers: [
        { name: 'research', archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 } },
        {
          name: 'analysis',
          archetype: 'llm-summary',
          price: { kind: 'fixed', msat: 6000 },
          upstream: [{ capability: 'anomalies:read', calls: 2, maxPriceMsat: 3000 }],
          balanceMsat: 200_000,
        },
      ],
      buyers: [
        {
          name: 'fund',
          count: 2,
          decider: { name: 'cheapest' },
          policy: { name: 'allow_all' },
          budgetMsat: 100_000,
          arrivals: { process: 'poisson', ratePerMin: 10 },
          tasks: [{ capability: 'text:summarize', value: { dist: 'fixed', msat: 20000 } }],
        },
      ],
    },
    overrides,
  );

/** Every issue validation reports, as `path: message`. */
function issues(doc: unknown): string[] {
  const v = validateScenario(doc, scenarioChecks);
  return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
}

/** A seeded run of `doc` as its schema reads it (no cross-checks): sales per payee, end tasks done of all, payments for nothing. */
async function market(doc: unknown) {
  const sinks = { purchases: new MemorySink(), tasks: new MemorySink() };
  const { summary: s } = await runScenario(scenarioSchema.parse(doc), { seed: 1, sinks });
  const sales = Object.fromEntries(Object.entries(s.market.sellers).map(([n, v]) => [n, v.sales]));
  const p = s.purchases;
  return { sales, tasksDone: `${p.tasksDone} of ${p.tasks}`, paymentsForNothing: p.paymentsForNothing };
}

const tooLow = (limit: string, pays: number, need: number, offer: string) =>
  `"analysis" buys 2 calls of "anomalies:read" for each call it sells and pays at most ${pays} msat for them (${limit}), ` +
  `but the cheapest upstream price needs at least ${need} msat: "research" at ${offer}. ` +
  `No upstream purchase would go through: every call "analysis" sells would be paid for and answered 502. ` +
  `Set maxPriceMsat to at least ${need}, or buy fewer calls`;

describe('an upstream maxPriceMsat below calls × the cheapest upstream price', () => {
  it('refuses 3999 msat for 2 calls at 2000 (run anyway: 0 of 6 tasks done, both payments for nothing); takes 4000 (6 of 6 done, 12 calls bought upstream)', async () => {
    const low = chain({ 'sellers[1].upstream[0].maxPriceMsat': 3999 });
    expect(issues(low)).toEqual([
      `sellers[1].upstream[0].maxPriceMsat: ${tooLow('maxPriceMsat', 3999, 4000, '2000 msat a call')}`,
    ]);
    // Each buyer pays once: the seller gives the call back after its 502, so later tasks reuse the token, and fail too.
    expect(await market(low)).toEqual({
      sales: { 'analysis-0': 2 },
      tasksDone: '0 of 6',
      paymentsForNothing: 2,
    });
    const enough = chain({ 'sellers[1].upstream[0].maxPriceMsat': 4000 });
    expect(issues(enough)).toEqual([]);
    expect(await market(enough)).toEqual({
      sales: { 'analysis-0': 6, 'research-0': 12 },
      tasksDone: '6 of 6',
      paymentsForNothing: 0,
    });
  }, 120_000);

  it("refuses an upstream entry without maxPriceMsat whose seller's own price, 3000 msat, is below 4000", () => {
    const doc = chain({
      'sellers[1].price.msat': 3000,
      'sellers[1].upstream[0]': { capability: 'anomalies:read', calls: 2 },
    });
    expect(issues(doc)).toEqual([
      `sellers[1].upstream[0]: ${tooLow('maxPriceMsat left out: its own price', 3000, 4000, '2000 msat a call')}`,
    ]);
  });

  it("prices a bundle for the calls it serves: research's 5-call bundle (8000 msat) needs 8000 for 2 calls, so 7999 is refused and 8000 taken", () => {
    const bundle = { 'sellers[0].tiers': [{ kind: 'bundle', calls: 5 }] };
    expect(issues(chain({ ...bundle, 'sellers[1].upstream[0].maxPriceMsat': 7999 }))).toEqual([
      `sellers[1].upstream[0].maxPriceMsat: ${tooLow('maxPriceMsat', 7999, 8000, '8000 msat for the 2 calls')}`,
    ]);
    expect(issues(chain({ ...bundle, 'sellers[1].upstream[0].maxPriceMsat': 8000 }))).toEqual([]);
  });

  it('prices a repricing seller at its floor: 1500 msat a call needs 3000 for 2 calls, so 2999 is refused and 3000 taken', () => {
    const pricing = { strategy: 'demand', everySec: 5, stepMsat: 500, highSales: 3, floorMsat: 1500 };
    const at = (maxPriceMsat: number) =>
      issues(chain({ 'sellers[0].pricing': pricing, 'sellers[1].upstream[0].maxPriceMsat': maxPriceMsat }));
    expect(at(2999)).toEqual([
      `sellers[1].upstream[0].maxPriceMsat: ${tooLow('maxPriceMsat', 2999, 3000, '1500 msat a call')}`,
    ]);
    expect(at(3000)).toEqual([]);
  });
});
