/**
 * A price out of range is refused with its own bound alone: zod's int() adds
 * the safe-integer bound, which 1e300 also crosses, and the reply named both.
 */
import { describe, expect, it } from 'vitest';
import { parseControl } from '../../sim/live/controls.js';

describe('a price control out of range', () => {
  it.each([
    ['1e300', 'msat: expected at most 1,000,000,000'],
    ['-1e300', 'msat: expected at least 1'],
  ])('msat %s is refused with one message: %s', (msat, message) => {
    expect(parseControl(`{"type":"price","seller":"x","msat":${msat}}`)).toEqual({
      ok: false,
      code: 'bad_message',
      message,
    });
  });
});
