import { describe, expect, it } from 'vitest';
import { parseArgs } from 'node:util';
import {
  httpUrlOption,
  integerOption,
  parseArgsError,
  parseArgsOnce,
  parseHttpUrl,
  portOption,
  refuseEmptyOptions,
  usageError,
} from '../../infra/cli-options.js';

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

/** What `fn` threw, as code and message. */
function thrown(fn: () => unknown): { code: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code?: unknown }).code, message: (err as Error).message };
  }
  throw new Error('did not throw');
}

describe('usage errors', () => {
  it('usageError ends the message with where to look, without a doubled full stop', () => {
    expect(
      thrown(() => {
        throw usageError('bad thing.');
      }),
    ).toEqual({
      code: 'usage',
      message: 'bad thing; run with --help for the options',
    });
  });

  it('parseArgsError keeps the unknown option and drops the hint about positionals', () => {
    let parseError: unknown;
    try {
      parseArgs({ args: ['--bogus'], options: {}, allowPositionals: true });
    } catch (err) {
      parseError = err;
    }
    expect(
      thrown(() => {
        throw parseArgsError(parseError);
      }),
    ).toEqual({
      code: 'usage',
      message: "Unknown option '--bogus'; run with --help for the options",
    });
  });
});

describe('portOption', () => {
  it('reads 0 and 65535', () => {
    expect(portOption('port', '0')).toBe(0);
    expect(portOption('port', '65535')).toBe(65535);
  });

  it.each(['65536', '70000', '-1', '1e3', '0x10', ' 80', '8.5', 'http'])(
    'refuses %j, naming the flag',
    (v) => {
      expect(thrown(() => portOption('port', v))).toEqual({
        code: 'usage',
        message: `--port must be a port number 0..65535, got ${JSON.stringify(v)}; run with --help for the options`,
      });
    },
  );
});

describe('integerOption', () => {
  it('reads whole numbers within the range', () => {
    expect(integerOption('n', '0', 0)).toBe(0);
    expect(integerOption('n', '2147483647', 1, 2_147_483_647)).toBe(2_147_483_647);
  });

  it('refuses a value below the minimum, naming the flag and the range', () => {
    expect(thrown(() => integerOption('probe-timeout-ms', '0', 1, 10)).message).toBe(
      '--probe-timeout-ms must be an integer 1..10, got "0"; run with --help for the options',
    );
  });

  it.each(['1.5', '-1', '1e3', ''])('refuses %j', (v) => {
    expect(thrown(() => integerOption('max-fee-msat', v, 0)).message).toBe(
      `--max-fee-msat must be an integer of at least 0, got ${JSON.stringify(v)}; run with --help for the options`,
    );
  });

  it.each(['9007199254740992', '9007199254740993', '99999999999999999999'])(
    'refuses %j, an integer past 2^53 - 1, saying that bound (not "of at least 0")',
    (v) => {
      expect(thrown(() => integerOption('max-price-msat', v, 0)).message).toBe(
        `--max-price-msat must be an integer 0..9007199254740991, got "${v}"; run with --help for the options`,
      );
    },
  );
});

describe('http URLs', () => {
  it('parseHttpUrl accepts http and https, nothing else', () => {
    expect(parseHttpUrl('https://example.com:8402/x')?.href).toBe('https://example.com:8402/x');
    expect(parseHttpUrl('http://127.0.0.1')?.origin).toBe('http://127.0.0.1');
    for (const v of ['notaurl', 'ftp://x', 'file:///etc/passwd', '/relative', 'http://'])
      expect(parseHttpUrl(v)).toBeUndefined();
  });

  it('httpUrlOption refuses a non-URL, naming the flag', () => {
    expect(thrown(() => httpUrlOption('registry', 'notaurl'))).toEqual({
      code: 'usage',
      message:
        '--registry must be an http:// or https:// URL, got "notaurl"; run with --help for the options',
    });
  });
});

describe('parseArgsOnce', () => {
  const options = {
    seed: { type: 'string' },
    set: { type: 'string', multiple: true },
    quiet: { type: 'boolean', short: 'q' },
  } as const;
  const parse = (...args: string[]) => parseArgsOnce({ args, options, allowPositionals: true });

  it('refuses a single-valued option given twice, naming it and both values; --set may repeat', () => {
    expect(thrown(() => parse('--set', 'a=1', '--seed', '1', 'x', '--set', 'b=2', '--seed=2'))).toEqual({
      code: 'usage',
      message: '--seed is given twice (1, 2); give it once',
    });
    expect(parse('--set', 'a=1', '--set', 'b=2', '--seed', '7', 'name')).toEqual({
      values: { set: ['a=1', 'b=2'], seed: '7' },
      positionals: ['name'],
    });
  });

  it('counts more than two, and a repeated boolean by its long name', () => {
    expect(thrown(() => parse('--seed', '1', '--seed', '2', '--seed', '3')).message).toBe(
      '--seed is given 3 times (1, 2, 3); give it once',
    );
    expect(thrown(() => parse('-q', '--quiet')).message).toBe('--quiet is given twice; give it once');
  });
});
