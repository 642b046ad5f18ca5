import { describe, expect, it } from 'vitest';
import { refuseEmptyOptions } from '../../infra/cli-options.js';

describe('refuseEmptyOptions', () => {
  it('refuses an option given as an empty string, naming it, as a usage error', () => {
    expect(() => refuseEmptyOptions({ port: '8402', host: '' })).toThrow(
      expect.objectContaining({
        code: 'usage',
        message: '--host must not be empty; run with --help for the options',
      }),
    );
  });

  it('refuses an empty string among a repeatable option’s values', () => {
    expect(() => refuseEmptyOptions({ set: ['a=1', ''] })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^--set must not be empty/) }),
    );
  });

  it('accepts absent, boolean and non-empty options', () => {
    expect(() =>
      refuseEmptyOptions({ host: undefined, json: false, demo: true, set: ['a=1'], seed: '0' }),
    ).not.toThrow();
  });
});
