import { describe, expect, it } from 'vitest';
import { loadScenarioText, validateScenario } from '../../sim/scenario/load.js';
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
      expected: 'sellers[0].archetype: expected one of data-feed | compute | llm-summary',
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
    const out = applyOverrides(doc, { 'a.b': 2, 'a.c[1]': 3 });
    expect(doc).toEqual({ a: { b: 1 } });
    expect(out).toEqual({ a: { b: 2, c: [undefined, 3] } });
  });

  it('refuses a pair without "="', () => {
    expect(() => parseOverrideArgs(['durationSec'])).toThrow(/expected key=value/);
  });
});

describe('scenario reach checks', () => {
  it('refuses a sweep.grid path that names no field, suggesting the nearest one', () => {
    const text = `${base}sweep:\n  grid:\n    'buyers[0].polcy.params.maxMsat': [1000, 2000]\n`;
    expect(issuesOf(text)).toEqual([
      `sweep.grid['buyers[0].polcy.params.maxMsat']: no field "polcy" here (did you mean "policy"?); fields: arrivals, budgetMsat, count, decider, name, policy, prefer, tasks`,
    ]);
  });

  it('refuses a network.file that does not exist, naming where it looked', () => {
    const [issue] = issuesOf(base, { 'network.file': 'no-such-network.json' });
    expect(issue).toMatch(
      /^network\.file: no such file "no-such-network\.json" \(looked in \/.*no-such-network\.json\)/,
    );
  });

  it('warns when more sellers offer a capability than a buyer’s search returns', () => {
    const s = loadScenarioText(base, { overrides: { 'sellers[0].count': 7 } });
    expect(reachWarnings(s)).toEqual([
      '7 sellers offer "anomalies:read" but a search returns 5 (cheapest first): the priciest 2 are never found; set registry.searchLimit: 7 to let buyers see them all',
    ]);
  });
});
