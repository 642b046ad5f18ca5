import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { delegate } from '../../agents/resale/index.js';
import {
  caveats,
  createMinter,
  formatAuthorization,
  Macaroon,
  MemoryRootKeyStore,
} from '../../infra/l402/index.js';
import { verifyAuthorization } from '../../infra/l402/verify.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';

const ORIGIN = 'http://origin.test';
const PREIMAGE = '11'.repeat(32);
const PAYMENT_HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');

/** A token minted by a real minter with `caveatList`, and a verifier for it at `atMs`. */
async function minted(caveatList: string[]) {
  const clock = new VirtualClock();
  const rootKeys = new MemoryRootKeyStore();
  let seed = 0;
  const minter = createMinter({ rootKeys, randomBytes: (n) => new Uint8Array(n).fill(++seed) });
  const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: caveatList });
  const verify = async (macaroon: string, service: string, atMs: number) => {
    const auth = formatAuthorization({ macaroon, preimage: PREIMAGE });
    const r = await verifyAuthorization(rootKeys, auth, { service, nowMs: atMs, method: 'GET', path: '/' });
    return r.ok
      ? { ok: true, quotas: r.token.quotas.map((q) => q.limit) }
      : { ok: false, code: r.error.code };
  };
  return { clock, token, verify };
}

const TWO_SERVICES = [
  caveats.services([
    { name: 'a', tier: 0 },
    { name: 'b', tier: 2 },
  ]),
  caveats.maxCalls('a', 100),
];

describe('delegate: a slice of a multi-service token opens its one service only', () => {
  it('a 1-call, 60 s slice of services=a:0,b:2 is refused for b (service_mismatch) and is 1 call, 60 s for a', async () => {
    const { clock, token, verify } = await minted(TWO_SERVICES);
    const now = clock.now();
    const slice = delegate(
      { origin: ORIGIN, macaroon: token, preimage: PREIMAGE },
      { id: 'sub-1', calls: 1, validForSec: 60 },
      { clock },
    );
    expect(Macaroon.fromBase64(slice.macaroon).caveats).toEqual([
      'services=a:0,b:2',
      'a_max_calls=100',
      'delegation_id=sub-1',
      'services=a:0',
      'a_max_calls=1',
      `a_valid_until=${now / 1000 + 60}`,
    ]);
    expect(await verify(slice.macaroon, 'b', now)).toEqual({ ok: false, code: 'service_mismatch' });
    expect(await verify(slice.macaroon, 'b', now + 3_600_000)).toEqual({
      ok: false,
      code: 'service_mismatch',
    });
    expect(await verify(slice.macaroon, 'a', now)).toEqual({ ok: true, quotas: [100, 1] });
    expect(await verify(slice.macaroon, 'a', now + 60_000)).toEqual({ ok: false, code: 'expired' });
    // The token itself still opens b without a limit: only the copy was narrowed.
    expect(await verify(token, 'b', now + 3_600_000)).toEqual({ ok: true, quotas: [] });
  });

  it('a slice delegated for the second service b keeps its tier and is refused for a', async () => {
    const { clock, token, verify } = await minted(TWO_SERVICES);
    const slice = delegate(
      { origin: ORIGIN, macaroon: token, preimage: PREIMAGE, service: 'b' },
      { calls: 3 },
      { clock },
    );
    expect(slice).toMatchObject({ service: 'b', calls: 3 });
    expect(Macaroon.fromBase64(slice.macaroon).caveats.slice(2)).toEqual(['services=b:2', 'b_max_calls=3']);
    expect(await verify(slice.macaroon, 'a', clock.now())).toEqual({ ok: false, code: 'service_mismatch' });
    expect(await verify(slice.macaroon, 'b', clock.now())).toEqual({ ok: true, quotas: [3] });
  });

  it('delegating a service the token does not open throws unknown_service naming what it opens', async () => {
    const { clock, token } = await minted(TWO_SERVICES);
    const attempt = () =>
      delegate(
        { origin: ORIGIN, macaroon: token, preimage: PREIMAGE, service: 'c' },
        { calls: 1 },
        { clock },
      );
    expect(attempt).toThrow(
      expect.objectContaining({
        name: 'LabError',
        code: 'unknown_service',
        message: 'the token opens a:0,b:2, not c: cannot delegate it',
      }),
    );
  });

  it('a slice of a token with no services caveat gets services=<service>:0 and is refused for any other service', async () => {
    const { clock, token, verify } = await minted([caveats.maxCalls('a', 10)]);
    expect(await verify(token, 'z', clock.now())).toEqual({ ok: true, quotas: [] });
    const slice = delegate(
      { origin: ORIGIN, macaroon: token, preimage: PREIMAGE, service: 'a' },
      { calls: 2 },
      { clock },
    );
    expect(Macaroon.fromBase64(slice.macaroon).caveats).toEqual([
      'a_max_calls=10',
      'services=a:0',
      'a_max_calls=2',
    ]);
    expect(await verify(slice.macaroon, 'z', clock.now())).toEqual({ ok: false, code: 'service_mismatch' });
    expect(await verify(slice.macaroon, 'a', clock.now())).toEqual({ ok: true, quotas: [10, 2] });
  });
});
