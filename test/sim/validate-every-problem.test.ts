import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../sim/scenario/load.js';
import { applyOverrides } from '../../sim/scenario/overrides.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { buyerSchema, sellerSchema } from '../../sim/scenario/schema.js';

/**
 * `sim validate` reports every problem it can in one run (audit L4): the checks beyond the
 * schema (capabilities, fault targets, ranges between fields) run on what of a refused file can
 * be read, and only where what failed cannot change their answer. Policy parameters, decider
 * and policy names get the scenario's own wording: the nearest allowed key or name.
 */

const task = (capability: string, value: object) => ({ capability, value });

/** A valid market: one seller group, two buyer groups, no faults. */
const base = () => ({
  name: 'every-problem',
  durationSec: 60,
  sellers: [{ name: 'feed', archetype: 'data-feed', price: { kind: 'fixed', msat: 2000 } }],
  buyers: ['shopper', 'saver'].map((name) => ({
    name,
    policy: { name: 'max_per_request', params: { maxMsat: 5000 } },
    budgetMsat: 100_000,
    arrivals: { process: 'poisson', ratePerMin: 6 },
    tasks: [task('anomalies:read', { dist: 'fixed', msat: 8000 })],
  })),
});

/** Every issue validation reports for the base market with `overrides`, as `path: message`. */
function issues(overrides: Record<string, unknown>): string[] {
  const v = validateScenario(applyOverrides(base(), overrides), scenarioChecks);
  return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
}

const badFault = { kind: 'node_offline', atSec: 5, node: 'nobody-0' };
const noNode = 'faults[0].node: no node named "nobody-0" (nodes are named <group>-<n>, routers router-<n>)';
/** The keys a strict object schema allows, sorted and joined as the message lists them. */
const allowed = (schema: { shape: Record<string, unknown> }): string =>
  Object.keys(schema.shape).sort().join(', ');

describe('validate reports the schema problems and the cross references together', () => {
  it('a misspelled key and a fault on an unknown node are both reported', () => {
    expect(issues({ 'buyers[0].budgt': 1, faults: [badFault] })).toEqual([
      `buyers[0]: unknown key "budgt"; allowed: ${allowed(buyerSchema)}`,
      noNode,
    ]);
  });

  it('a misspelled key, an unoffered capability and a minimum above its maximum are all reported', () => {
    const tasks = [task('anomalies:reed', { dist: 'uniform', minMsat: 9000, maxMsat: 100 })];
    expect(issues({ 'sellers[0].qualty': 0.5, 'buyers[1].tasks': tasks })).toEqual([
      `sellers[0]: unknown key "qualty" (did you mean "quality"?); allowed: ${allowed(sellerSchema)}`,
      'buyers[1].tasks[0].capability: no seller offers capability "anomalies:reed" (offered: anomalies:read)',
      'buyers[1].tasks[0].value.minMsat: expected at most maxMsat (100)',
    ]);
  });

  it('with a value of the wrong type, the groups that passed are checked and numbered as in the file', () => {
    const tasks = [task('stocks', { dist: 'fixed', msat: 1 })];
    expect(issues({ 'buyers[0].count': 'two', 'buyers[1].tasks': tasks, faults: [badFault] })).toEqual([
      'buyers[0].count: expected a positive integer',
      'buyers[1].tasks[0].capability: no seller offers capability "stocks" (offered: anomalies:read)',
    ]);
  });

  it('a fault on an unknown node is reported beside a bad fault once every group passed', () => {
    const faults = [
      { kind: 'node_down', atSec: 1 },
      { ...badFault, atSec: 500 },
    ];
    expect(issues({ faults })).toEqual([
      'faults[0].kind: unknown kind "node_down"; expected node_offline | drain_channel | failure_rate',
      'faults[1].atSec: expected a time within the run (0..180 s)',
      'faults[1].node: no node named "nobody-0" (nodes are named <group>-<n>, routers router-<n>)',
    ]);
  });

  it('no capability is called unoffered while a seller group failed its schema (it may offer it)', () => {
    const tasks = [task('compute:stats', { dist: 'uniform', minMsat: 9000, maxMsat: 100 })];
    expect(
      issues({ 'sellers[1]': { name: 'calc', archetype: 'compute' }, 'buyers[0].tasks': tasks }),
    ).toEqual([
      'sellers[1].price: required: add price',
      'buyers[0].tasks[0].value.minMsat: expected at most maxMsat (100)',
    ]);
  });

  it('with a top-level field refused, each group is still checked on its own', () => {
    const tasks = [task('anomalies:read', { dist: 'uniform', minMsat: 9000, maxMsat: 100 })];
    expect(issues({ durationSec: 'long', 'buyers[0].tasks': tasks, faults: [badFault] })).toEqual([
      'durationSec: expected a positive number',
      'buyers[0].tasks[0].value.minMsat: expected at most maxMsat (100)',
    ]);
  });
});

describe('policy parameters and names are worded as the scenario keys are', () => {
  it('an unknown policy parameter names the nearest one and every one allowed', () => {
    expect(issues({ 'buyers[0].policy.params': { maxMsta: 5000 } })).toEqual([
      'buyers[0].policy.params.maxMsat: required: add maxMsat',
      'buyers[0].policy.params: unknown key "maxMsta" (did you mean "maxMsat"?); allowed: includeFee, maxMsat',
    ]);
  });

  it('a policy inside all_of and a seller policy are worded the same way', () => {
    const inner = {
      name: 'all_of',
      params: { policies: [{ name: 'budget_window', params: { limitMsat: 1, windw: 'day' } }] },
    };
    const seller = { name: 'max_per_request', params: { maxMsat: 'lots' } };
    expect(issues({ 'buyers[0].policy': inner, 'sellers[0].policy': seller })).toEqual([
      'buyers[0].policy.params.policies[0].params: unknown key "windw" (did you mean "window"?); allowed: align, limitMsat, window',
      'sellers[0].policy.params.maxMsat: expected a number, got "lots"',
    ]);
  });

  it('a policy or decider name one typo away names the nearest name and every one allowed', () => {
    expect(
      issues({ 'buyers[0].policy.name': 'max_per_requst', 'buyers[1].decider': { name: 'cheapst' } }),
    ).toEqual([
      'buyers[1].decider.name: unknown name "cheapst" (did you mean "cheapest"?); expected cheapest | best_value | first_acceptable | random | llm | thompson',
      'buyers[0].policy.name: unknown name "max_per_requst" (did you mean "max_per_request"?); expected allow_all | max_per_request | escalate_above | value_based | budget_window | service_cap | category_cap | allowlist | denylist | all_of',
    ]);
  });
});
