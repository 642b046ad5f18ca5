import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryRootKeyStore, caveats, createMinter, tokenLimits } from '../../infra/l402/index.js';
import { SERVICE_SATISFIERS_KEPT, serviceSatisfiers } from '../../infra/l402/caveat-reader.js';
import { LIMITS_KEPT } from '../../infra/l402/token.js';

const preimage = '22'.repeat(32);
const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');

async function weatherToken(fill: number): Promise<string> {
  const minter = createMinter({
    rootKeys: new MemoryRootKeyStore(),
    randomBytes: (n) => new Uint8Array(n).fill(fill),
  });
  const { token } = await minter.mint({
    paymentHash,
    caveats: [
      caveats.services([
        { name: 'weather', tier: 1 },
        { name: 'maps', tier: 0 },
      ]),
      caveats.maxCalls('weather', 10),
      caveats.methods('weather', ['GET']),
      caveats.maxCalls('maps', 3),
    ],
  });
  return token;
}

describe('satisfiers kept per service', () => {
  it('gives the seven satisfiers of weather in check order, and the same set on the next call', () => {
    const s = serviceSatisfiers('weather');
    expect(s.list.map((x) => x.condition)).toEqual([
      'services',
      'weather_capabilities',
      'weather_valid_until',
      'weather_max_calls',
      'weather_methods',
      'weather_path_prefix',
      'weather_price',
    ]);
    expect(s.lookup('weather_max_calls')).toBe(s.list[3]);
    expect(s.lookup('maps_max_calls')).toBeUndefined();
    expect(serviceSatisfiers('weather')).toBe(s);
  });

  it('builds a service again, with the same conditions, after more services than it keeps pushed it out', () => {
    const first = serviceSatisfiers('svc-first');
    for (let i = 0; i < SERVICE_SATISFIERS_KEPT; i++) serviceSatisfiers(`svc-${i}`);
    const again = serviceSatisfiers('svc-first');
    expect(again).not.toBe(first);
    expect(again.list.map((x) => x.condition)).toEqual(first.list.map((x) => x.condition));
  });
});

describe('tokenLimits read once per token and service', () => {
  it('reads weather (the first service) then maps from one token, each with its own limits', async () => {
    const token = await weatherToken(5);
    const services = [
      { name: 'weather', tier: 1 },
      { name: 'maps', tier: 0 },
    ];
    expect(tokenLimits(token)).toEqual({ services, service: 'weather', maxCalls: 10, methods: ['GET'] });
    expect(tokenLimits(token, 'maps')).toEqual({ services, service: 'maps', maxCalls: 3 });
    expect(tokenLimits(token, 'weather')).toEqual({
      services,
      service: 'weather',
      maxCalls: 10,
      methods: ['GET'],
    });
    expect(tokenLimits(token)).toBe(tokenLimits(token));
  });

  it('hands out limits nobody can change (a change throws instead of reaching the next reader)', async () => {
    const limits = tokenLimits(await weatherToken(6));
    expect(() => limits.methods!.push('POST')).toThrow(TypeError);
    expect(() => (limits.services[0]!.tier = 7)).toThrow(TypeError);
    expect(() => Object.assign(limits, { maxCalls: 99 })).toThrow(TypeError);
    expect(limits.maxCalls).toBe(10);
  });

  it('refuses a bad token on every read (a failure is never kept)', () => {
    for (let i = 0; i < 2; i++)
      expect(() => tokenLimits('AgEEbHNhdA', 'weather')).toThrow(
        expect.objectContaining({ code: 'bad_macaroon' }),
      );
  });

  it('does not answer for a token text that spells another kept (service, token) pair', async () => {
    const token = await weatherToken(7);
    expect(tokenLimits(token, 'maps').maxCalls).toBe(3);
    expect(() => tokenLimits(`maps:${token}`)).toThrow(expect.objectContaining({ code: 'bad_macaroon' }));
  });

  it('reads a token again, to the same limits, after more tokens than it keeps pushed it out', async () => {
    const token = await weatherToken(8);
    const first = tokenLimits(token);
    const other = await weatherToken(9);
    for (let i = 0; i <= LIMITS_KEPT; i++) tokenLimits(other, `s${i}`);
    const again = tokenLimits(token);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
