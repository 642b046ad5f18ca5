import { describe, expect, it } from 'vitest';
import { caveats, isL402Error, checkCaveatChain, formatCaveat, parseCaveat } from '../../infra/l402/index.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isL402Error(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('caveat wire form', () => {
  it.each([
    ['a plain caveat', 'services=search:0', { condition: 'services', value: 'search:0' }],
    ['a value holding "="', 'preimage=ab=cd', { condition: 'preimage', value: 'ab=cd' }],
    ['an empty value', 'x=', { condition: 'x', value: '' }],
    ['spaces around the parts', ' search_max_calls = 5 ', { condition: 'search_max_calls', value: '5' }],
  ])('parses %s', (_name, text, expected) => {
    expect(parseCaveat(text)).toEqual(expected);
  });

  it.each([
    ['no "="', 'services'],
    ['an empty condition', '=value'],
  ])('rejects a caveat with %s as invalid_caveat', (_name, text) => {
    expect(codeOf(() => parseCaveat(text))).toBe('invalid_caveat');
  });

  it('formats condition=value and refuses a condition holding "="', () => {
    expect(formatCaveat({ condition: 'a', value: 'b=c' })).toBe('a=b=c');
    expect(codeOf(() => formatCaveat({ condition: 'a=b', value: 'c' }))).toBe('invalid_caveat');
  });
});

describe('caveat builders', () => {
  it.each([
    [
      'services',
      caveats.services([
        { name: 'search', tier: 0 },
        { name: 'llm', tier: 2 },
      ]),
      'services=search:0,llm:2',
    ],
    ['capabilities', caveats.capabilities('search', ['web', 'news']), 'search_capabilities=web,news'],
    ['valid_until', caveats.validUntil('search', 1_700_000_000), 'search_valid_until=1700000000'],
    ['max_calls', caveats.maxCalls('search', 10), 'search_max_calls=10'],
    ['methods (uppercased)', caveats.methods('search', ['get', 'POST']), 'search_methods=GET,POST'],
    ['path_prefix', caveats.pathPrefix('search', '/v1/x'), 'search_path_prefix=/v1/x'],
  ])('%s', (_name, built, expected) => {
    expect(built).toBe(expected);
  });

  it.each<[string, () => string]>([
    ['an empty services list', () => caveats.services([])],
    ['a tier above 255', () => caveats.services([{ name: 'a', tier: 256 }])],
    ['a fractional tier', () => caveats.services([{ name: 'a', tier: 0.5 }])],
    ['a service name with ":"', () => caveats.services([{ name: 'a:b', tier: 0 }])],
    ['a service name with "="', () => caveats.maxCalls('a=b', 1)],
    ['an empty service name', () => caveats.validUntil('', 1)],
    ['a capability with ","', () => caveats.capabilities('s', ['a,b'])],
    ['a negative expiry', () => caveats.validUntil('s', -1)],
    ['a fractional call count', () => caveats.maxCalls('s', 1.5)],
    ['an expiry whose milliseconds are not a safe integer', () => caveats.validUntil('s', 2 ** 50)],
    ['an unsafe integer', () => caveats.maxCalls('s', 2 ** 53)],
    ['a method that is not a token', () => caveats.methods('s', ['GET POST'])],
    ['a relative path', () => caveats.pathPrefix('s', 'v1')],
    ['a path with ".."', () => caveats.pathPrefix('s', '/v1/../admin')],
    ['a path with an encoded slash', () => caveats.pathPrefix('s', '/v1%2Fadmin')],
    [
      'a path written with escapes (/v1/caf%C3%A9, read /v1/café)',
      () => caveats.pathPrefix('s', '/v1/caf%C3%A9'),
    ],
  ])('refuses %s with invalid_caveat', (_name, build) => {
    expect(codeOf(build)).toBe('invalid_caveat');
  });
});

describe('attenuation chains', () => {
  const s = (name: string, tier = 0) => caveats.services([{ name, tier }]);
  it.each<[string, string[], string]>([
    ['services narrowed to a subset', ['services=a:0,b:0', 'services=a:0'], 'no error'],
    ['services widened with a new name', ['services=a:0', 'services=a:0,b:0'], 'widening_caveat'],
    ['services changing a tier', [s('a', 0), s('a', 1)], 'widening_caveat'],
    ['capabilities narrowed', ['x_capabilities=r,w', 'x_capabilities=r'], 'no error'],
    ['capabilities widened', ['x_capabilities=r', 'x_capabilities=r,w'], 'widening_caveat'],
    ['expiry made earlier', ['x_valid_until=200', 'x_valid_until=100'], 'no error'],
    ['expiry kept equal', ['x_valid_until=200', 'x_valid_until=200'], 'no error'],
    ['expiry made later', ['x_valid_until=100', 'x_valid_until=200'], 'widening_caveat'],
    ['calls reduced', ['x_max_calls=10', 'x_max_calls=3'], 'no error'],
    ['calls raised', ['x_max_calls=3', 'x_max_calls=10'], 'widening_caveat'],
    ['methods narrowed', ['x_methods=GET,POST', 'x_methods=GET'], 'no error'],
    ['methods widened', ['x_methods=GET', 'x_methods=GET,POST'], 'widening_caveat'],
    ['path made longer inside the previous', ['x_path_prefix=/v1', 'x_path_prefix=/v1/search'], 'no error'],
    ['path moved sideways', ['x_path_prefix=/v1', 'x_path_prefix=/v2'], 'widening_caveat'],
    ['path shortened', ['x_path_prefix=/v1/search', 'x_path_prefix=/v1'], 'widening_caveat'],
    ['path sharing only a string prefix', ['x_path_prefix=/v1', 'x_path_prefix=/v1admin'], 'widening_caveat'],
    ['different services do not constrain each other', ['a_max_calls=1', 'b_max_calls=100'], 'no error'],
    [
      'a widening buried after other caveats',
      ['x_max_calls=3', 'preimage=00', 'y=1', 'x_max_calls=4'],
      'widening_caveat',
    ],
    ['unknown caveats repeated freely', ['foo=1', 'foo=2', 'preimage=ab'], 'no error'],
    ['a known caveat with a bad value', ['x_max_calls=many'], 'invalid_caveat'],
    ['a services entry without a tier', ['services=a'], 'invalid_caveat'],
  ])('%s', (_name, chain, code) => {
    expect(codeOf(() => checkCaveatChain(chain))).toBe(code);
  });
});
