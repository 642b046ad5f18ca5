import { describe, expect, it } from 'vitest';
import { loadScenario, loadScenarioText, validateScenario } from '../../sim/scenario/load.js';
import { ScenarioError } from '../../sim/scenario/errors.js';
import { buyerSchema, scenarioSchema, sellerSchema, taskTypeSchema } from '../../sim/scenario/schema.js';
import { reachWarnings } from '../../sim/scenario/reach.js';
import { applyOverrides, parseOverrideArgs, parsePath } from '../../sim/scenario/overrides.js';

const base = `
name: tiny
durationSec: 60
sellers:
  - name: weather
    archetype: data-feed
    price: { kind: fixed, msat: 2000 }
buyers:
  - name: shopper
    count: 2
    policy: { name: max_per_request, params: { maxMsat: 5000 } }
    budgetMsat: 100000
    arrivals: { process: fixed, everySec: 10 }
    tasks: [{ capability: 'anomalies:read', value: { dist: fixed, msat: 9000 } }]
`;

/** What `fn` throws (undefined when it does not). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** The keys a strict object schema allows, sorted and joined as the message lists them. */
const allowed = (schema: { shape: Record<string, unknown> }): string =>
  Object.keys(schema.shape).sort().join(', ');

function issuesOf(text: string, overrides?: Record<string, unknown>): string[] {
  try {
    loadScenarioText(text, overrides ? { overrides } : {});
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('scenario validation', () => {
  it('accepts a minimal scenario and fills in the defaults', () => {
    const s = loadScenarioText(base);
    expect(s.seed).toBe(1);
    expect(s.sellers[0]!.count).toBe(1);
    expect(s.network.topology).toEqual({ kind: 'hub_and_spoke', hubs: 1 });
    expect(s.buyers[0]!.decider.name).toBe('cheapest');
  });

  const cases: { name: string; overrides: Record<string, unknown>; expected: string }[] = [
    {
      name: 'a negative budget names the buyer field',
      overrides: { 'buyers[0].budgetMsat': -5 },
      expected: 'buyers[0].budgetMsat: expected a non-negative integer number of msat',
    },
    {
      name: 'a fractional task value is refused (money is integer msat)',
      overrides: { 'buyers[0].tasks[0].value.msat': 1.5 },
      expected: 'buyers[0].tasks[0].value.msat: expected a non-negative integer number of msat',
    },
    {
      name: 'a zero duration is refused',
      overrides: { durationSec: 0 },
      expected: 'durationSec: expected a positive number',
    },
    {
      name: 'an unknown archetype lists the known ones',
      overrides: { 'sellers[0].archetype': 'oracle' },
      expected: 'sellers[0].archetype: expected data-feed | compute | llm-summary, got "oracle"',
    },
    {
      name: 'a task for a capability nobody sells is refused',
      overrides: { 'buyers[0].tasks[0].capability': 'stocks' },
      expected:
        'buyers[0].tasks[0].capability: no seller offers capability "stocks" (offered: anomalies:read)',
    },
    {
      name: 'an unknown field is reported with the allowed keys and the one it begins',
      overrides: { 'buyers[0].budget': 5 },
      expected: `buyers[0]: unknown key "budget" (did you mean "budgetMsat"?); allowed: ${allowed(buyerSchema)}`,
    },
    {
      name: 'a mistyped top-level key suggests the nearest one',
      overrides: { seeed: 3 },
      expected: `: unknown key "seeed" (did you mean "seed"?); allowed: ${allowed(scenarioSchema)}`,
    },
    {
      name: 'a mistyped key nested in a list item suggests the nearest one',
      overrides: { 'buyers[0].tasks[0].capabilty': 'x' },
      expected: `buyers[0].tasks[0]: unknown key "capabilty" (did you mean "capability"?); allowed: ${allowed(taskTypeSchema)}`,
    },
    {
      name: 'two unknown keys in one object are named together, each with its hint',
      overrides: { 'sellers[0].qualty': 0.5, 'sellers[0].zzz': 1 },
      expected: `sellers[0]: unknown keys "qualty" (did you mean "quality"?), "zzz"; allowed: ${allowed(sellerSchema)}`,
    },
    {
      name: 'a fault on a node that does not exist is refused',
      overrides: { faults: [{ kind: 'node_offline', atSec: 5, node: 'weather-7' }] },
      expected: 'faults[0].node: no node named "weather-7" (nodes are named <group>-<n>, routers router-<n>)',
    },
    {
      name: 'a duplicate group name is refused',
      overrides: { 'buyers[0].name': 'weather' },
      expected: 'buyers[0].name: name "weather" is already used by sellers[0]',
    },
    {
      name: 'a quote stream without a timeout is refused',
      overrides: { 'buyers[0].quoting': { mode: 'stream' } },
      expected: 'buyers[0].quoting.timeoutSec: expected a positive number',
    },
    {
      name: 'an unknown quoting mode names the two modes',
      overrides: { 'buyers[0].quoting': { mode: 'fastest' } },
      expected: 'buyers[0].quoting.mode: unknown mode "fastest"; expected all | stream',
    },
    {
      name: 'an unknown search order names the four orders',
      overrides: { 'buyers[0].search': { sort: 'speed' } },
      expected: 'buyers[0].search.sort: expected price | latency | rating | random, got "speed"',
    },
    {
      name: 'a first-acceptable reservation must be a price ceiling or a surplus floor',
      overrides: { 'buyers[0].decider': { name: 'first_acceptable', reservation: { maxPrice: 5 } } },
      expected:
        'buyers[0].decider.reservation: expected { maxPriceMsat } or { minSurplusMsat } (integer msat)',
    },
  ];
  it.each(cases)('$name', ({ overrides, expected }) => {
    expect(issuesOf(base, overrides)).toContain(expected);
  });

  it('reports every problem at once, not only the first', () => {
    const issues = issuesOf(base, { durationSec: -1, 'buyers[0].count': 0 });
    expect(issues).toEqual(
      expect.arrayContaining([
        'durationSec: expected a positive number',
        'buyers[0].count: expected a positive integer',
      ]),
    );
  });

  it('runs extra checks from higher layers with full paths', () => {
    const doc = loadScenarioText(base);
    const v = validateScenario(doc, [
      (s) =>
        s.buyers.map((_, i) => ({
          path: `buyers[${i}].policy.params.maxMsat`,
          message: 'expected a positive integer',
        })),
    ]);
    expect(v.ok).toBe(false);
    if (!v.ok)
      expect(v.issues[0]).toEqual({
        path: 'buyers[0].policy.params.maxMsat',
        message: 'expected a positive integer',
      });
  });

  it('reports YAML syntax errors with a line number', () => {
    try {
      loadScenarioText('name: x\n  bad: [', {}, 'broken.yaml');
      expect.unreachable();
    } catch (e) {
      expect((e as ScenarioError).code).toBe('bad_yaml');
      expect((e as ScenarioError).message).toMatch(/broken\.yaml/);
      expect((e as ScenarioError).issues[0]!.path).toMatch(/^line \d+/);
    }
  });
});

describe('overrides', () => {
  it('parses dotted and bracketed paths alike', () => {
    expect(parsePath('buyers[0].policy.params.maxMsat')).toEqual([
      'buyers',
      0,
      'policy',
      'params',
      'maxMsat',
    ]);
    expect(parsePath('buyers.0.count')).toEqual(['buyers', 0, 'count']);
  });

  it('parses command-line values as YAML scalars', () => {
    expect(parseOverrideArgs(['durationSec=30', 'buyers[0].decider.name=random', 'x=[1,2]'])).toEqual({
      durationSec: 30,
      'buyers[0].decider.name': 'random',
      x: [1, 2],
    });
  });

  it('does not modify the document it was given', () => {
    const doc = { a: { b: 1 } };
    const out = applyOverrides(doc, { 'a.b': 2, 'a.c[0]': 3 });
    expect(doc).toEqual({ a: { b: 1 } });
    expect(out).toEqual({ a: { b: 2, c: [3] } });
  });

  it('sets an existing entry of a list, or appends one at the next index', () => {
    const doc = { buyers: [{ count: 1 }, { count: 2 }] };
    expect(applyOverrides(doc, { 'buyers[1].count': 5 })).toEqual({ buyers: [{ count: 1 }, { count: 5 }] });
    expect(applyOverrides(doc, { 'buyers[2].count': 3 })).toEqual({
      buyers: [{ count: 1 }, { count: 2 }, { count: 3 }],
    });
  });

  it('refuses an index past the next one, naming the list and its length', () => {
    const doc = { buyers: [{ count: 1 }, { count: 2 }] };
    expect(thrown(() => applyOverrides(doc, { 'buyers[99].count': 1 }))).toMatchObject({
      code: 'bad_override',
      message:
        'override cannot be applied\n  buyers[99].count: index 99 is out of range: buyers has 2 entries (index 2 adds one)',
    });
    expect(thrown(() => applyOverrides({ a: { c: [] } }, { 'a.c[1]': 3 }))).toMatchObject({
      issues: [{ path: 'a.c[1]', message: 'index 1 is out of range: a.c has no entries (index 0 adds one)' }],
    });
    expect(
      thrown(() => applyOverrides({ buyers: [{ tasks: [{}] }] }, { 'buyers[0].tasks[3].x': 1 })),
    ).toMatchObject({
      issues: [
        {
          path: 'buyers[0].tasks[3].x',
          message: 'index 3 is out of range: buyers[0].tasks has 1 entry (index 1 adds one)',
        },
      ],
    });
  });

  it('refuses a --set without "=" or value as a usage error naming the flag and the form', () => {
    for (const arg of ['durationSec', '=30', 'durationSec=']) {
      expect(thrown(() => parseOverrideArgs([arg]))).toMatchObject({
        code: 'usage',
        message: `--set ${arg}: expected KEY=VALUE, e.g. --set durationSec=30`,
      });
    }
    expect(thrown(() => parseOverrideArgs(['buyers..count=1']))).toMatchObject({
      code: 'usage',
      message: '--set buyers..count=1: "buyers..count" is not a dotted path such as buyers[0].budgetMsat',
    });
  });
});

describe('scenario reach checks', () => {
  it('refuses a sweep.grid path that names no field, suggesting the nearest one', () => {
    const text = `${base}sweep:\n  grid:\n    'buyers[0].polcy.params.maxMsat': [1000, 2000]\n`;
    expect(issuesOf(text)).toEqual([
      `sweep.grid['buyers[0].polcy.params.maxMsat']: no field "polcy" here (did you mean "policy"?); fields: arrivals, budgetMsat, count, decider, name, policy, tasks`,
    ]);
  });

  it('refuses a network.file that does not exist, naming where it looked', () => {
    const [issue] = issuesOf(base, { 'network.file': 'no-such-network.json' });
    expect(issue).toMatch(
      /^network\.file: no such file "no-such-network\.json" \(looked in \/.*no-such-network\.json\)/,
    );
  });

  it('warns when a price tie at the search limit leaves sellers out, naming the limit that fits them', () => {
    const s = loadScenarioText(base, { overrides: { 'sellers[0].count': 7 } });
    expect(reachWarnings(s)).toEqual([
      'at most 5 of the 7 "weather" sellers (2000 msat) can be in a search\'s results (the 5 cheapest "anomalies:read" sellers at or under the task\'s value); set registry.searchLimit: 7 to let buyers see them all',
    ]);
  });

  it('warns about the group priced out of every search by price order, not by head count', () => {
    const s = loadScenarioText(base, {
      overrides: {
        'sellers[0].count': 5,
        'sellers[1]': { name: 'dear', archetype: 'data-feed', price: { kind: 'fixed', msat: 3000 } },
      },
    });
    expect(reachWarnings(s)).toEqual([
      'none of seller "dear" (3000 msat) can be in a search\'s results (the 5 cheapest "anomalies:read" sellers at or under the task\'s value); set registry.searchLimit: 6 to let buyers see them all',
    ]);
  });

  it("warns when a seller lists above every buyer's task value, which the search filters out", () => {
    const s = loadScenarioText(base, {
      overrides: {
        'sellers[1]': { name: 'gold', archetype: 'data-feed', price: { kind: 'fixed', msat: 9001 } },
      },
    });
    expect(reachWarnings(s)).toEqual([
      'seller "gold" lists "anomalies:read" at 9001 msat, above every search\'s maximum (at most 9000 msat, the task\'s value): never found',
    ]);
  });

  it("warns about a seller above every buyer's task value though a reseller searches its capability: the reseller's search returns bundle sellers only", () => {
    const s = loadScenarioText(base, {
      overrides: {
        'sellers[1]': {
          name: 'bulk',
          archetype: 'data-feed',
          price: { kind: 'fixed', msat: 2000 },
          tiers: [{ kind: 'bundle', calls: 10 }],
        },
        'sellers[2]': { name: 'gold', archetype: 'data-feed', price: { kind: 'fixed', msat: 9001 } },
        resellers: [
          {
            name: 'broker',
            capability: 'anomalies:read',
            sliceCalls: 1,
            balanceMsat: 2_000_000,
            subAgents: {
              count: 1,
              budgetMsat: 100_000,
              arrivals: { process: 'fixed', everySec: 10 },
              value: { dist: 'fixed', msat: 5000 },
            },
          },
        ],
      },
    });
    expect(reachWarnings(s)).toEqual([
      'seller "gold" lists "anomalies:read" at 9001 msat, above every search\'s maximum (at most 9000 msat, the task\'s value): never found',
    ]);
  });

  it("warns about a bundle seller no buyer's search finds that is not the cheapest bundle: the reseller buys from its search's first result only", () => {
    const bundleSeller = (name: string, unit: number) => ({
      name,
      archetype: 'data-feed',
      price: { kind: 'fixed', msat: unit },
      tiers: [{ kind: 'bundle', calls: 10 }],
    });
    const s = loadScenarioText(base, {
      overrides: {
        'sellers[1]': bundleSeller('bulk', 2000),
        'sellers[2]': bundleSeller('dearbulk', 3000),
        resellers: [
          {
            name: 'broker',
            capability: 'anomalies:read',
            sliceCalls: 1,
            balanceMsat: 2_000_000,
            subAgents: {
              count: 1,
              budgetMsat: 100_000,
              arrivals: { process: 'fixed', everySec: 10 },
              value: { dist: 'fixed', msat: 5000 },
            },
          },
        ],
      },
    });
    expect(reachWarnings(s)).toEqual([
      'none of seller "dearbulk" (24000 msat) can be the first result of a reseller\'s origin search (the cheapest "anomalies:read" bundle), the only one a reseller buys from, and no buyer\'s search finds it: never bought from',
    ]);
  });

  const refusedSlice = (price: number, calls: number, slice: number) => [
    `resellers[0].sliceCalls: the cheapest bundle of "anomalies:read" (${price} msat, the one the reseller buys) holds ${calls} calls, fewer than one ${slice}-call slice; set sliceCalls to at most ${calls}`,
  ];
  it.each([
    ['the 10-call bundle is cheapest', 2000, 500, 10, undefined, false, []],
    ['the 10-call bundle is cheapest', 2000, 500, 20, undefined, false, refusedSlice(4000, 10, 20)],
    ['the 10-call bundle is cheapest', 2000, 500, 20, 3, true, []],
    ['the 5-call bundle is cheapest', 1000, 2000, 10, undefined, false, refusedSlice(4000, 5, 10)],
    [
      'both bundles cost the same (which one is bought depends on listing ids)',
      2000,
      1000,
      10,
      undefined,
      false,
      [],
    ],
  ])(
    'a reseller beside a 5-call and a 10-call bundle when %s (unit prices %i and %i msat), slices of %i calls, slicesPerBundle %s, set to oversell %s',
    (_why, fiveUnit, tenUnit, sliceCalls, slicesPerBundle, oversell, expected) => {
      const bundle = (name: string, unit: number, calls: number) => ({
        name,
        archetype: 'data-feed',
        price: { kind: 'fixed', msat: unit },
        tiers: [{ kind: 'single' }, { kind: 'bundle', calls }],
      });
      const reseller = {
        name: 'broker',
        capability: 'anomalies:read',
        sliceCalls,
        ...(slicesPerBundle && { slicesPerBundle }),
        ...(oversell && { oversell }),
        balanceMsat: 2_000_000,
        subAgents: {
          count: 1,
          budgetMsat: 100_000,
          arrivals: { process: 'fixed', everySec: 10 },
          value: { dist: 'fixed', msat: 5000 },
        },
      };
      const issues = issuesOf(base, {
        'sellers[1]': bundle('five', fiveUnit, 5),
        'sellers[2]': bundle('ten', tenUnit, 10),
        resellers: [reseller],
      });
      expect(issues).toEqual(expected);
    },
  );

  it.each([
    ['the buyers prefer bundles', 'bundle', [{ kind: 'single' }, { kind: 'bundle', calls: 10 }]],
    [
      'the seller lists its bundle first, its default',
      undefined,
      [{ kind: 'bundle', calls: 10 }, { kind: 'single' }],
    ],
  ])(
    'warns when %s and the 16,000 msat 10-call bundle is the price the searches read, above the 9,000 task value, though a 2,000 single call is listed',
    (_why, prefer, tiers) => {
      const s = loadScenarioText(base, {
        overrides: {
          ...(prefer && { 'buyers[0].prefer': prefer }),
          'sellers[1]': { name: 'bulk', archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 }, tiers },
        },
      });
      expect(reachWarnings(s)).toEqual([
        'seller "bulk" lists "anomalies:read" at 16000 msat, above every search\'s maximum (at most 9000 msat, the task\'s value): never found',
      ]);
    },
  );

  it('does not warn when more sellers share a capability than a search returns but each search filters to its own', () => {
    // success-vs-amount: 80 data-feed sellers, limit 20, but each bucket's buyers search their category's 20.
    expect(reachWarnings(loadScenario('success-vs-amount'))).toEqual([]);
  });
});
