import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { validateScenario } from '../../sim/scenario/load.js';
import { applyOverrides } from '../../sim/scenario/overrides.js';
import { MAX_DEFAULT_BUDGET_MSAT, marketMsat } from '../../sim/scenario/money.js';
import { scenarioSchema } from '../../sim/scenario/schema.js';

/**
 * A market's money must stay within Number.MAX_SAFE_INTEGER msat, or its sums (the ledger,
 * conservation) are not exact: `sim validate` refuses a default balance (budget + 10%) above
 * the range at its budget, and a market whose channels hold more in all, naming what to lower.
 */

/** A valid market: one seller group, one buyer group. */
const base = () => ({
  name: 'money',
  durationSec: 1,
  drainSec: 0,
  sellers: [
    {
      name: 'feed',
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: 2000 },
      tiers: [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
    },
  ],
  buyers: [
    {
      name: 'shopper',
      policy: { name: 'allow_all' },
      budgetMsat: 100_000,
      arrivals: { process: 'poisson', ratePerMin: 1 },
      tasks: [{ capability: 'anomalies:read', value: { dist: 'fixed', msat: 8000 } }],
    },
  ],
});

/** Every issue validation reports for the base market with `overrides`, as `path: message`. */
function issues(overrides: Record<string, unknown>): string[] {
  const v = validateScenario(applyOverrides(base(), overrides));
  return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
}

const RANGE = "9,007,199,254,740,991 msat (2^53 − 1, the most a market's sums count exactly)";

describe('money within the safe integer range', () => {
  it('refuses a budget whose default balance passes 2^53 − 1, at the budget, saying what to lower', () => {
    expect(issues({ 'buyers[0].budgetMsat': 9_007_199_254_740_991 })).toEqual([
      `buyers[0].budgetMsat: its default balance (budget + 10% for fees) is 9,907,919,180,215,092 msat, above ${RANGE}; lower budgetMsat to at most 8,188,362,958,855,446, or set balanceMsat`,
    ]);
  });

  it("refuses a sub-agent budget whose default balance passes it, at the reseller's field", () => {
    const reseller = {
      name: 'broker',
      capability: 'anomalies:read',
      balanceMsat: 1_000_000,
      subAgents: {
        count: 1,
        budgetMsat: 9_000_000_000_000_000,
        arrivals: { process: 'poisson', ratePerMin: 1 },
        value: { dist: 'fixed', msat: 5000 },
      },
    };
    expect(issues({ resellers: [reseller] })).toEqual([
      `resellers[0].subAgents.budgetMsat: its default balance (budget + 10% for fees) is 9,900,000,000,000,000 msat, above ${RANGE}; lower budgetMsat to at most 8,188,362,958,855,446`,
    ]);
  });

  it('the largest budget whose default balance is safe is 8,188,362,958,855,446 msat', () => {
    expect(MAX_DEFAULT_BUDGET_MSAT).toBe(8_188_362_958_855_446);
  });

  it('refuses a market whose channels hold more than 2^53 − 1 msat in all, naming the largest amounts', () => {
    // The default balance alone is safe (exactly 2^53 − 1), the router and seller channels pass it.
    expect(issues({ 'buyers[0].budgetMsat': MAX_DEFAULT_BUDGET_MSAT })).toEqual([
      `: this market's channels hold 9,007,200,254,740,991 msat, more than ${RANGE}; lower the largest amounts: buyers[0].budgetMsat (1 buyer × 9,007,199,254,740,991 msat = 9,007,199,254,740,991 msat)`,
    ]);
    const network = { topology: { kind: 'ring', routers: 3 }, routerChannelMsat: 4_000_000_000_000_000 };
    expect(issues({ network, 'buyers[0].count': 3, 'buyers[0].balanceMsat': 1_000_000_000_000_000 })).toEqual(
      [
        `: this market's channels hold 15,000,001,000,000,000 msat, more than ${RANGE}; lower the largest amounts: network.routerChannelMsat (3 router channels × 4,000,000,000,000,000 msat = 12,000,000,000,000,000 msat); buyers[0].balanceMsat (3 buyers × 1,000,000,000,000,000 msat = 3,000,000,000,000,000 msat)`,
      ],
    );
  });

  it('counts a drawn capacity at the most its distribution draws', () => {
    const channels = {
      seller: { count: 2, capacity: { dist: 'uniform', min: 1000, max: 3_000_000_000_000_000 } },
    };
    expect(issues({ 'network.channels': channels, 'sellers[0].count': 2 })).toEqual([
      `: this market's channels hold 12,000,000,000,110,000 msat, more than ${RANGE}; lower the largest amounts: network.channels.seller.capacity (4 seller channels × 3,000,000,000,000,000 msat = 12,000,000,000,000,000 msat)`,
    ]);
  });

  it("counts the msat the built network holds: every router's, seller's and payer's channel", async () => {
    const s = scenarioSchema.parse(
      applyOverrides(base(), {
        network: {
          topology: { kind: 'scale_free', routers: 5, edgesPerNode: 2 },
          channels: { seller: { count: 2, capacity: { dist: 'fixed', value: 300_000_000 } } },
        },
        'sellers[1]': {
          name: 'chain',
          archetype: 'compute',
          price: { kind: 'fixed', msat: 5000 },
          upstream: [{ capability: 'anomalies:read' }],
          balanceMsat: 700_000,
        },
        'sellers[2]': {
          name: 'shady',
          count: 2,
          archetype: 'data-feed',
          price: { kind: 'fixed', msat: 1000 },
          adversarial: { mode: 'wrong-payee' },
        },
        'buyers[0].count': 3,
        'buyers[1]': { ...base().buyers[0], name: 'rich', balanceMsat: 5_000_000 },
        resellers: [
          {
            name: 'broker',
            count: 2,
            capability: 'anomalies:read',
            balanceMsat: 2_000_000,
            subAgents: {
              count: 3,
              budgetMsat: 50_000,
              arrivals: { process: 'poisson', ratePerMin: 1 },
              value: { dist: 'fixed', msat: 5000 },
            },
          },
        ],
      }),
    );
    const { summary } = await runScenario(s);
    // 7 router links × 10^10; (4 sellers + 2 shadows + 2 resellers) × 2 channels × 3·10^8; balances.
    expect(marketMsat(s)).toBe(74_810_360_000n);
    expect(BigInt(summary.conservation.network.initialMsat)).toBe(marketMsat(s));
  });
});
