import { describe, expect, it } from 'vitest';
import {
  MemoryRootKeyStore,
  attenuate,
  caveats,
  checkCaveatChain,
  createMinter,
  formatAuthorization,
  tokenLimits,
} from '../../infra/l402/index.js';
import { createHash } from 'node:crypto';

const preimage = '11'.repeat(32);
const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');

describe('the <service>_price caveat', () => {
  it('is built as weather_price=7000 and read back by tokenLimits as priceMsat 7000', async () => {
    expect(caveats.price('weather', 7_000)).toBe('weather_price=7000');
    const minter = createMinter({
      rootKeys: new MemoryRootKeyStore(),
      randomBytes: (n) => new Uint8Array(n).fill(3),
    });
    const { token } = await minter.mint({
      paymentHash,
      caveats: [caveats.services([{ name: 'weather', tier: 0 }]), caveats.price('weather', 7_000)],
    });
    expect(tokenLimits(token).priceMsat).toBe(7_000);
    const v = await minter.verify(formatAuthorization({ macaroon: token, preimage }), {
      service: 'weather',
      nowMs: 0,
    });
    expect(v.ok && v.token.priceMsat).toBe(7_000);
  });

  it.each([[0], [-1], [1.5], [Number.MAX_SAFE_INTEGER + 2]])(
    'refuses to build a price of %s msat (invalid_caveat)',
    (msat) => {
      expect(() => caveats.price('weather', msat)).toThrow(
        expect.objectContaining({ code: 'invalid_caveat' }),
      );
    },
  );

  it('lets a later caveat repeat the same price but refuses any other (widening_caveat), up or down', () => {
    expect(() => checkCaveatChain(['weather_price=7000', 'weather_price=7000'])).not.toThrow();
    for (const other of ['weather_price=6999', 'weather_price=7001'])
      expect(() => checkCaveatChain(['weather_price=7000', other])).toThrow(
        expect.objectContaining({ code: 'widening_caveat' }),
      );
  });

  it('is refused by attenuate when it names another price than the token carries', async () => {
    const minter = createMinter({
      rootKeys: new MemoryRootKeyStore(),
      randomBytes: (n) => new Uint8Array(n).fill(4),
    });
    const { token } = await minter.mint({ paymentHash, caveats: [caveats.price('weather', 7_000)] });
    expect(() => attenuate(token, ['weather_price=1'])).toThrow(
      expect.objectContaining({ code: 'widening_caveat' }),
    );
  });
});
