import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.js';
import { applyOverrides } from '../../sim/scenario/overrides.js';
import { MAX_DEFAULT_BUDGET_MSAT, marketMsat } from '../../sim/scenario/money.js';
import { scenarioSchema } from '../../sim/scenario/schema.js';
import { brokerGroup, issueLines, minimalMarket, otherNodeKinds } from './scenario-fixture.js';

/**
 * A market's money must stay within Number.MAX_SAFE_INTEGER msat, or its sums (the ledger,
 * conservation) are not exact: `sim validate` refuses a default balance (budget + 10%) above
 * the range at its budget, and a market whose channels hold more in all, naming what to lower.
 */

/** A valid market: one seller group, one buyer group. */
const base = () =>
  minimalMarket('money', { 'sellers[0].tiers': [{ kind: 'single' }, { kind: 'bundle', calls: 10 }] });

/** Every issue validation reports for the base market with `overrides`, as `path: message`. */
const issues = (overrides: Record<string, unknown>): string[] => issueLines(base(), overrides);

const RANGE = "9,007,199,254,740,991 msat (2^53 − 1, the most a market's sums count exactly)";

describe('money within the safe integer range', () => {
  it('refuses a budget whose default balance passes 2^53 − 1, at the budget, saying what to lower', () => {
    expect(issues({ 'buyers[0].budgetMsat': 9_007_199_254_740_991 })).toEqual([
      `buyers[0].budgetMsat: its default balance (budget + 10% for fees) is 9,907,919,180,215,092 msat, above ${RANGE}; lower budgetMsat to at most 8,188,362,958,855,446, or set balanceMsat`,
    ]);
  });

  it("refuses a sub-agent budget whose default balance passes it, at the reseller's field", () => {
    const reseller = brokerGroup({
      balanceMsat: 1_000_000,
      subAgents: { count: 1, budgetMsat: 9_000_000_000_000_000 },
    });
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
        ...otherNodeKinds(),
        'buyers[0].count': 3,
        'buyers[1]': { ...base().buyers[0], name: 'rich', balanceMsat: 5_000_000 },
      }),
    );
    const { summary } = await runScenario(s);
    // 7 router links × 10^10; (4 sellers + 2 shadows + 2 resellers) × 2 channels × 3·10^8; balances.
    expect(marketMsat(s)).toBe(74_810_360_000n);
    expect(BigInt(summary.conservation.network.initialMsat)).toBe(marketMsat(s));
  });
});
