import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { LabError } from '../../infra/errors.js';
import { makeMarket } from './market.js';

describe('the client refuses limits that cannot mean what they say when it is built', () => {
  it.each([
    ['payTimeoutMs', NaN, 'NaN'],
    ['payTimeoutMs', 0, '0'],
    ['payTimeoutMs', 2.5, '2.5'],
    ['requestTimeoutMs', NaN, 'NaN'],
    ['requestTimeoutMs', -1, '-1'],
    ['maxBodyBytes', Infinity, 'Infinity'],
  ] as const)('%s = %s: LabError invalid_client_option naming it', (key, value, shown) => {
    const m = makeMarket();
    const build = () => createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, [key]: value });
    expect(build).toThrow(LabError);
    expect(build).toThrow(`${key} must be a whole number, at least 1; got ${shown}`);
  });

  it('whole numbers of at least 1 are taken', () => {
    const m = makeMarket();
    const opts = { payTimeoutMs: 1, requestTimeoutMs: 30_000, maxBodyBytes: 1 };
    expect(() => createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, ...opts })).not.toThrow();
  });
});
