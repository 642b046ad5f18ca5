/**
 * createPolicy (what agents build a policy with from a declaration: library callers, the simulator's
 * agents) words a bad declaration as scenario files are worded: the field as it is written and what it
 * expects, not zod's "Invalid input: expected number, received string".
 */
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../../agents/policies/index.js';
import { isLabError } from '../../infra/errors.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

function refusal(spec: unknown): string {
  try {
    createPolicy(spec, { clock: new VirtualClock() });
  } catch (err) {
    if (isLabError(err, 'invalid_policy_spec')) return err.message;
    throw err;
  }
  throw new Error('createPolicy took the spec');
}

describe('createPolicy refuses a bad declaration in plain words, naming the field', () => {
  it.each([
    [
      'text for an amount',
      { name: 'max_per_request', params: { maxMsat: 'abc' } },
      'invalid policy spec: params.maxMsat: expected a number, got "abc"',
    ],
    [
      'a fractional amount',
      { name: 'max_per_request', params: { maxMsat: 1.5 } },
      'invalid policy spec: params.maxMsat: expected an integer, got 1.5',
    ],
    [
      'an amount past 2^53 - 1',
      { name: 'escalate_above', params: { thresholdMsat: 1e20 } },
      'invalid policy spec: params.thresholdMsat: expected at most 9,007,199,254,740,991',
    ],
    [
      'a misspelt policy name',
      { name: 'max_per_requst', params: { maxMsat: 1 } },
      'invalid policy spec: name: unknown name "max_per_requst" (did you mean "max_per_request"?); expected allow_all | max_per_request | escalate_above | value_based | budget_window | service_cap | category_cap | allowlist | denylist | all_of',
    ],
    [
      'no policy name',
      { params: { maxMsat: 1 } },
      'invalid policy spec: name: required: add name; expected allow_all | max_per_request | escalate_above | value_based | budget_window | service_cap | category_cap | allowlist | denylist | all_of',
    ],
    [
      'a misspelt parameter',
      { name: 'max_per_request', params: { maxMsat: 1, maxSat: 1 } },
      'invalid policy spec: params: unknown key "maxSat" (did you mean "maxMsat"?); allowed: includeFee, maxMsat',
    ],
    ['missing params', { name: 'budget_window' }, 'invalid policy spec: params: required: add params'],
    [
      'a misspelt alignment',
      { name: 'service_cap', params: { limits: { data: 5 }, window: 'day', align: 'calender' } },
      'invalid policy spec: params.align: expected rolling | calendar, got "calender" (did you mean "calendar"?)',
    ],
    [
      'a window that is neither a name nor { ms }',
      { name: 'budget_window', params: { limitMsat: 5, window: 'dya' } },
      'invalid policy spec: params.window: expected minute | hour | day | week, or { ms: <a positive integer> }',
    ],
    [
      'a bad policy inside all_of, located by its index',
      { name: 'all_of', params: { policies: [{ name: 'budget_window', params: { limitMsat: 'lots' } }] } },
      'invalid policy spec: params.policies[0].params.limitMsat: expected a number, got "lots"',
    ],
    [
      'a name where the declaration belongs',
      'allow_all',
      'invalid policy spec: expected an object (key: value entries), got "allow_all"',
    ],
    [
      'two bad fields at once, both named',
      { name: 'budget_window', params: { limitMsat: -1, window: 'dya' } },
      'invalid policy spec: params.limitMsat: must be a non-negative integer number of msat; params.window: expected minute | hour | day | week, or { ms: <a positive integer> }',
    ],
    [
      'seven bad policies inside all_of: the first five, then how many more',
      {
        name: 'all_of',
        params: {
          policies: Array.from({ length: 7 }, (_, i) => ({
            name: 'max_per_request',
            params: { maxMsat: -1 - i },
          })),
        },
      },
      'invalid policy spec: ' +
        [0, 1, 2, 3, 4]
          .map((i) => `params.policies[${i}].params.maxMsat: must be a non-negative integer number of msat`)
          .join('; ') +
        '; and 2 more',
    ],
  ])('%s', (_what, spec, message) => {
    expect(refusal(spec)).toBe(message);
  });
});
