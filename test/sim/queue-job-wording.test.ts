/**
 * A queued job whose payload a worker cannot read (a coordinator of another build, a hand-made job)
 * fails naming each field as it is written and what it expects, in the plain words of
 * infra/zod-wording.ts, not one fixed sentence listing every field.
 */
import { describe, expect, it } from 'vitest';
import { queuedJobProblem } from '../../sim/sweep/queue-plan.js';

const job = { id: 3, scenario: 'x.yaml', textRef: 'a'.repeat(64), overrides: {}, seed: 1 };

describe('a queued job of another shape', () => {
  it.each([
    [
      'a seed that is true',
      { job: { ...job, seed: true } },
      'malformed job: job.seed: expected text or a number, got true',
    ],
    [
      'no scenario text named',
      { job: { ...job, textRef: undefined } },
      'malformed job: job.textRef: required: add textRef',
    ],
    [
      'a scenario text named by something other than its hash',
      { job: { ...job, textRef: 'scenario.yaml' } },
      'malformed job: job.textRef: expected a SHA-256 in hex',
    ],
    [
      'overrides given as a list',
      { job: { ...job, overrides: ['durationSec=5'] } },
      'malformed job: job.overrides: expected an object (key: value entries), got a list',
    ],
    [
      'a network file without its hash',
      { job: { ...job, networkFile: { path: 'net.json' } } },
      'malformed job: job.networkFile.ref: required: add ref',
    ],
    [
      'no sweep and an id given as text, both named',
      { sweep: undefined, job: { ...job, id: '3' } },
      'malformed job: sweep: required: add sweep; job.id: expected a number, got "3"',
    ],
  ])('%s is refused naming the field in plain words', (_what, change, message) => {
    expect(queuedJobProblem({ v: 3, sweep: 's', code: 'c', ...change }, 'c')).toBe(message);
  });

  it('a well-formed job is taken', () => {
    expect(queuedJobProblem({ v: 3, sweep: 's', code: 'c', job }, 'c')).toBe(undefined);
  });
});
