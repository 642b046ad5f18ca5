import { describe, expect, it } from 'vitest';
import type { L402PaywallOptions } from '../../services/paywall/index.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { makeWorld } from './helpers.js';
import { LabError } from '../../infra/errors.js';

describe('l402Paywall options are checked when the middleware is built', () => {
  const w = makeWorld();
  const ok: L402PaywallOptions = {
    node: w.seller,
    minter: w.minter,
    clock: w.clock,
    service: 'weather',
    price: 1_000,
  };

  it('builds with valid options', () => {
    expect(typeof l402Paywall(ok)).toBe('function');
    expect(l402Paywall(ok).name).toBe('l402Paywall');
  });

  it.each<[string, Partial<L402PaywallOptions>, RegExp]>([
    ['a float price', { price: 1.5 }, /price must be a positive integer msat/],
    ['a zero price', { price: 0 }, /price/],
    ['no price at all', { price: undefined }, /price/],
    ['a price above 2^53', { price: 2 ** 60 }, /price/],
    ['a service name with a space', { service: 'my service' }, /options.service/],
    ['a service name with a comma', { service: 'a,b' }, /options.service/],
    ['a tier above 255', { tier: 256 }, /tier must be an integer 0..255/],
    ['zero max calls', { maxCalls: 0 }, /maxCalls/],
    ['a fractional lifetime', { tokenLifetimeSec: 1.5 }, /tokenLifetimeSec/],
    [
      'granted capabilities without the route capability',
      { capability: 'write', capabilities: ['read'] },
      /must include the route's capability write/,
    ],
    ['a relative path prefix', { pathPrefix: 'v1' }, /path/],
    ['an empty methods list', { methods: [] }, /empty/],
    [
      'a secret source that is a bare function',
      { secrets: ((n: number) => new Uint8Array(n)) as never },
      /options.secrets must be a SecretSource/,
    ],
    ['a rate limit of zero calls', { rateLimit: { calls: 0, perMs: 1000 } }, /rateLimit/],
    ['both tiers and a single price', { tiers: [{ tier: 0, price: 5 }] }, /either options.tiers/],
    ['no node', { node: undefined as never }, /LightningNode/],
  ])('refuses %s', (_what, patch, message) => {
    const build = () => l402Paywall({ ...ok, ...patch });
    expect(build).toThrow(LabError);
    expect(build).toThrow(message);
  });

  it('refuses the same tier twice', () => {
    const { price: _p, ...rest } = ok;
    expect(() =>
      l402Paywall({
        ...rest,
        tiers: [
          { tier: 1, price: 5 },
          { tier: 1, price: 6 },
        ],
      }),
    ).toThrow(/tier 1 is configured twice/);
  });

  it.each([
    ['an infinite period', Infinity],
    ['a period under 1 ms (its rate overflows to Infinity)', 5e-321],
    ['half a millisecond', 0.5],
  ])('refuses a rate limit over %s with invalid_paywall_options naming perMs', (_what, perMs) => {
    const build = () => l402Paywall({ ...ok, rateLimit: { calls: 1, perMs } });
    expect(build).toThrow(
      expect.objectContaining({
        name: 'LabError',
        code: 'invalid_paywall_options',
        message: `options.rateLimit needs calls, a positive integer, and perMs, a finite number of ms of at least 1 (calls per perMs ms), got calls 1, perMs ${perMs}`,
      }),
    );
  });
});
