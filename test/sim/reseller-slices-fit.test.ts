import { describe, expect, it } from 'vitest';
import { isLabError } from '../../infra/errors.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { runScenario } from '../../sim/run.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** The issues (`path: message`) validating the resale scenario with `overrides` finds, [] when it loads. */
function issuesOf(overrides: Record<string, unknown>): string[] {
  try {
    loadScenario('resale', { overrides, checks: scenarioChecks });
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const BUNDLE =
  'the cheapest bundle of "anomalies:read" (40000 msat, the one the reseller buys) holds 20 calls';

describe('a resale scenario whose brokers would sell more slices than their bundle holds is refused', () => {
  it('slicesPerBundle 25 of 1-call slices over the 20-call bundle: resellers[0].slicesPerBundle, set it to at most 20', () => {
    expect(issuesOf({ 'resellers[0].slicesPerBundle': 25 })).toEqual([
      `resellers[0].slicesPerBundle: ${BUNDLE}, fewer than 25 slices of 1 call (25): the last slices would be sold and refused at the origin; set slicesPerBundle to at most 20, or leave it out (oversell: true makes a reseller that oversells on purpose)`,
    ]);
  });

  it('slicesPerBundle 4 of 6-call slices (24 calls): resellers[0].slicesPerBundle, set it to at most 3', () => {
    expect(issuesOf({ 'resellers[0].slicesPerBundle': 4, 'resellers[0].sliceCalls': 6 })).toEqual([
      `resellers[0].slicesPerBundle: ${BUNDLE}, fewer than 4 slices of 6 calls (24): the last slices would be sold and refused at the origin; set slicesPerBundle to at most 3, or leave it out (oversell: true makes a reseller that oversells on purpose)`,
    ]);
  });

  it('a 21-call slice with slicesPerBundle 1: resellers[0].sliceCalls, set it to at most 20', () => {
    expect(issuesOf({ 'resellers[0].slicesPerBundle': 1, 'resellers[0].sliceCalls': 21 })).toEqual([
      `resellers[0].sliceCalls: ${BUNDLE}, fewer than one 21-call slice; set sliceCalls to at most 20`,
    ]);
  });

  it.each([20, 10])('slicesPerBundle %i of 1-call slices fits the 20-call bundle: no issue', (n) => {
    expect(issuesOf({ 'resellers[0].slicesPerBundle': n })).toEqual([]);
  });
});

describe('a resale scenario whose brokers are set to oversell (resellers[i].oversell) runs them as the dishonest resellers they are', () => {
  it('slicesPerBundle 25 of 1-call slices over the 20-call bundle with oversell true: no issue', () => {
    expect(issuesOf({ 'resellers[0].slicesPerBundle': 25, 'resellers[0].oversell': true })).toEqual([]);
  });

  it('a 21-call slice with slicesPerBundle 1 and oversell true: no issue', () => {
    const overrides = { 'resellers[0].slicesPerBundle': 1, 'resellers[0].sliceCalls': 21 };
    expect(issuesOf({ ...overrides, 'resellers[0].oversell': true })).toEqual([]);
  });

  it('oversell true without slicesPerBundle: resellers[0].oversell, set slicesPerBundle or leave oversell out', () => {
    expect(issuesOf({ 'resellers[0].oversell': true })).toEqual([
      'resellers[0].oversell: oversell needs slicesPerBundle, the slices to sell per bundle whatever it holds; set slicesPerBundle, or leave oversell out',
    ]);
  });

  it(
    'seed 1, 25 slices per 20-call bundle set to oversell: 15 slices refused at their check (0 msat), 5 bundle checks refused, 168 paid, money conserved',
    { timeout: 120_000 },
    async () => {
      const overrides = { 'resellers[0].slicesPerBundle': 25, 'resellers[0].oversell': true };
      const scenario = loadScenario('resale', { overrides, checks: scenarioChecks });
      const { summary } = await runScenario(scenario, { seed: 1 });

      expect(summary.purchases.byOutcome).toEqual({ slice_refused: 15, success: 168, token_refused: 5 });
      expect([summary.purchases.paymentsSucceeded, summary.purchases.paymentsForNothing]).toEqual([168, 0]);
      expect(summary.conservation.differenceMsat).toBe(0);
    },
  );

  it('a run whose broker would oversell without oversell (slicesPerBundle 25 set past validate) is refused when the broker is built: invalid_reseller_options naming the 20-call bundle', async () => {
    const valid = loadScenario('resale', { checks: scenarioChecks });
    const scenario = { ...valid, resellers: [{ ...valid.resellers[0]!, slicesPerBundle: 25 }] };

    const err: unknown = await runScenario(scenario, { seed: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const why =
      'reseller broker-0: slicesPerBundle 25 × slice.calls 1 is 25 calls, more than the 20 calls of the upstream bundle (upstream.calls): the last slices would be sold and refused at the origin; lower slicesPerBundle to at most 20, or leave it out (oversell: true makes a reseller that oversells on purpose)';
    expect((err as Error).message).toBe(`activity "market setup" failed: ${why}`);
    const cause = (err as Error).cause;
    expect(isLabError(cause, 'invalid_reseller_options') && cause.message).toBe(why);
  });
});
