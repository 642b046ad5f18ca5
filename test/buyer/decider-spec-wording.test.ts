/**
 * createDecider words a bad declaration as scenario files are worded: every bad
 * field as it is written and what it expects (not only zod's first message,
 * without its field).
 */
import { describe, expect, it } from 'vitest';
import { createDecider } from '../../agents/buyer/deciders/spec.js';
import { isLabError } from '../../infra/errors.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

function refusal(spec: unknown): string {
  try {
    createDecider(spec as never, { clock: new VirtualClock() });
  } catch (err) {
    if (isLabError(err, 'invalid_decider_spec')) return err.message;
    throw err;
  }
  throw new Error('createDecider took the spec');
}

describe('createDecider refuses a bad declaration in plain words, naming each field', () => {
  it.each([
    [
      'a misspelt name',
      'cheapst',
      'invalid decider spec: name: unknown name "cheapst" (did you mean "cheapest"?); expected cheapest | best_value | first_acceptable | random | llm | thompson',
    ],
    [
      'text and a zero in a prior',
      { name: 'thompson', prior: { successes: 'a', failures: 0 } },
      'invalid decider spec: prior.successes: expected a number, got "a"; prior.failures: expected more than 0',
    ],
    [
      'a negative price ceiling',
      { name: 'first_acceptable', reservation: { maxPriceMsat: -1 } },
      'invalid decider spec: reservation.maxPriceMsat: expected at least 0',
    ],
    [
      'a misspelt option and an unknown key',
      { name: 'llm', onInvalid: 'cheap', extra: 1 },
      'invalid decider spec: onInvalid: expected cheapest | none, got "cheap" (did you mean "cheapest"?); unknown key "extra"; allowed: name, onInvalid, reservation',
    ],
  ])('%s', (_what, spec, message) => {
    expect(refusal(spec)).toBe(message);
  });
});
