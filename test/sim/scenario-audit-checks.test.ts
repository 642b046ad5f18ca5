import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { repricingStepMs } from '../../sim/market/repricing.js';
import { defaultBalanceMsat } from '../../sim/scenario/buyer-schema.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { loadScenario } from '../../sim/scenario/load.js';
import { applyOverrides, parseOverrideArgs } from '../../sim/scenario/overrides.js';
import { sellerSchema } from '../../sim/scenario/seller-schema.js';
import { sellerConfigSchema } from '../../services/sellers/config.js';
import { minimalMarket, silentIo as io, writeScenario } from './scenario-fixture.js';

/**
 * What `sim validate` refuses before a run would fail at market setup (audit
 * F1, F2, F3, F11), the default balance (F14), repeated `--set` paths (F6)
 * and the seed's message (F12).
 */

/** A minimal valid market: one seller group, one buyer group. */
const base = () =>
  minimalMarket('audit-checks', { durationSec: 5, drainSec: 5, 'buyers[0].arrivals.ratePerMin': 6 });

/** Writes `doc` (the base market with `overrides`) to a temporary scenario file. */
const scenarioFile = (overrides: Record<string, unknown>): string =>
  writeScenario(applyOverrides(base(), overrides));

/** The issues `sim validate`'s loading (schema, cross checks, policy checks) reports for `overrides`. */
function issues(overrides: Record<string, unknown>): { path: string; message: string }[] {
  try {
    loadScenario(scenarioFile(overrides), { checks: scenarioChecks });
  } catch (err) {
    if (err instanceof ScenarioError) return err.issues;
    throw err;
  }
  return [];
}

describe('seller settings the seller config refuses are refused by validate (F2)', () => {
  it.each([
    [
      'category',
      'Not A Category',
      'lowercase letters, digits and -, starting with a letter or digit (max 64)',
    ],
    ['description', 'x'.repeat(1001), 'expected at most 1000 characters'],
    ['tiers', Array.from({ length: 9 }, () => ({ kind: 'single' })), 'expected at most 8 tiers'],
    ['tiers', [], 'expected at least one tier'],
    ['capacity', 200_000, 'expected at most 100,000 concurrent calls'],
  ])('%s', (field, value, message) => {
    expect(issues({ [`sellers[0].${field}`]: value })).toEqual([{ path: `sellers[0].${field}`, message }]);
  });

  it('accepts the seller config limits themselves', () => {
    const at = {
      'sellers[0].category': 'a'.repeat(64),
      'sellers[0].description': 'x'.repeat(1000),
      'sellers[0].tiers': Array.from({ length: 8 }, () => ({ kind: 'single' })),
      'sellers[0].capacity': 100_000,
    };
    expect(issues(at)).toEqual([]);
  });

  it('uses the seller config schema for each of these fields (the two cannot drift apart)', () => {
    for (const field of ['category', 'description', 'tiers', 'capacity'] as const)
      expect(sellerSchema.shape[field]).toBe(sellerConfigSchema.shape[field]);
  });
});

describe('repricing interval (F1)', () => {
  it('validate refuses pricing.everySec below 1 ms, naming the field and the minimum', () => {
    const pricing = { strategy: 'undercut', everySec: 0.0004, stepMsat: 250 };
    expect(issues({ 'sellers[0].pricing': pricing })).toEqual([
      {
        path: 'sellers[0].pricing.everySec',
        message: 'expected at least 0.001 s (1 ms): repricing steps in whole milliseconds',
      },
    ]);
    expect(issues({ 'sellers[0].pricing': { ...pricing, everySec: 0.001 } })).toEqual([]);
  });

  it('the repricing loop never steps by 0 ms', () => {
    expect(repricingStepMs(0.0004)).toBe(1);
    expect(repricingStepMs(0.001)).toBe(1);
    expect(repricingStepMs(10)).toBe(10_000);
  });
});

describe('group names that make another node name (F3)', () => {
  it('refuses a group whose members would be named like the routers', () => {
    expect(issues({ 'buyers[0].name': 'router' })).toEqual([
      {
        path: 'buyers[0].name',
        message: 'name "router" makes node router-0, which is the name of a routing node; rename the group',
      },
    ]);
  });

  it("refuses a group whose members would be named like a reseller's sub-agents", () => {
    const reseller = {
      name: 'broker',
      capability: 'anomalies:read',
      markupPpm: 250_000,
      sliceCalls: 1,
      balanceMsat: 2_000_000,
      subAgents: {
        count: 1,
        budgetMsat: 100_000,
        arrivals: { process: 'poisson', ratePerMin: 4 },
        value: { dist: 'fixed', msat: 5000 },
      },
    };
    const found = issues({
      'sellers[0].tiers': [{ kind: 'single' }, { kind: 'bundle', calls: 10 }],
      'buyers[0].name': 'broker-0-sub',
      resellers: [reseller],
    });
    expect(found).toEqual([
      {
        path: 'resellers[0].name',
        message:
          'name "broker" makes node broker-0-sub-0, which is the name of a member of buyers[0] ("broker-0-sub"); rename the group',
      },
    ]);
  });
});

describe('validate checks the values of the file’s own sweep.grid (F11)', () => {
  it('reports every bad grid point, naming it', async () => {
    const file = scenarioFile({ sweep: { grid: { durationSec: [-1, 5, 0] } } });
    const err = await validateCommand([file], io).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).issues).toEqual([
      { path: '', message: 'at sweep.grid point 0 (durationSec=-1):' },
      { path: 'durationSec', message: 'expected a positive number' },
      { path: '', message: 'at sweep.grid point 2 (durationSec=0):' },
      { path: 'durationSec', message: 'expected a positive number' },
    ]);
  });

  it('accepts a grid whose every point is valid', async () => {
    const file = scenarioFile({ sweep: { grid: { durationSec: [5, 10] } } });
    expect(await validateCommand([file], io)).toBe(0);
  });
});

describe('default balance (F14)', () => {
  it('is the budget + 10%, rounded up, in integer arithmetic', () => {
    // 400,000 × 1.1 is 440,000.00000000006 as a float, which rounded up to 440,001.
    expect(defaultBalanceMsat(400_000)).toBe(440_000);
    expect(defaultBalanceMsat(200_000)).toBe(220_000);
    expect(defaultBalanceMsat(100_000)).toBe(110_000);
    expect(defaultBalanceMsat(15)).toBe(17);
    expect(defaultBalanceMsat(0)).toBe(0);
  });
});

describe('--set given the same path twice (F6)', () => {
  it('refuses a repeated path, in either spelling, naming both flags', () => {
    expect(() => parseOverrideArgs(['durationSec=20', 'durationSec=5'])).toThrow(
      '--set durationSec=5: the path durationSec is already set by --set durationSec=20; give each path once, with the value you mean',
    );
    expect(() => parseOverrideArgs(['buyers.0.count=2', 'buyers[0].count=3'])).toThrow(
      '--set buyers[0].count=3: the path buyers[0].count is already set by --set buyers.0.count=2',
    );
  });

  it('applies overrides in command-line order: the later flag wins over a path it contains', () => {
    const doc = { registry: { searchLimit: 5 } };
    const inner = parseOverrideArgs(['registry={searchLimit: 4}', 'registry.searchLimit=3']);
    expect(applyOverrides(doc, inner)).toEqual({ registry: { searchLimit: 3 } });
    const outer = parseOverrideArgs(['registry.searchLimit=3', 'registry={searchLimit: 4}']);
    expect(applyOverrides(doc, outer)).toEqual({ registry: { searchLimit: 4 } });
  });
});

describe('--set values YAML cannot parse (F10)', () => {
  it('refuses an unclosed quote or bracket, naming the flag, instead of taking the raw text', () => {
    expect(() => parseOverrideArgs(["description='unterminated"])).toThrow(
      "--set description: 'unterminated is not valid YAML: Missing closing 'quote; close its quotes or brackets",
    );
    expect(() => parseOverrideArgs(['sellers[0].tiers=[{kind: single}'])).toThrow(
      '--set sellers[0].tiers: [{kind: single} is not valid YAML',
    );
    expect(parseOverrideArgs(["description=it's plain text"])).toEqual({ description: "it's plain text" });
  });
});

describe('seed in a file (F12)', () => {
  it('refuses a seed that is neither an integer nor text, saying what a seed is', () => {
    expect(issues({ seed: 1.5 })).toEqual([
      { path: 'seed', message: 'expected an integer or a text seed, e.g. 1 or "run-a"' },
    ]);
  });
});
