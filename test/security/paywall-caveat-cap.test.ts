import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { delegate } from '../../agents/resale/index.js';
import {
  DerivedRootKeyStore,
  Macaroon,
  caveats,
  createMinter,
  encodeIdentifier,
  formatAuthorization,
  formatCaveat,
} from '../../infra/l402/index.js';
import { encodeV2 } from '../../infra/l402/macaroon-binary.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { appWith, json, makeWorld } from '../paywall/helpers.js';

const PREIMAGE = Buffer.alloc(32, 0x5a);
const PAYMENT_HASH = createHash('sha256').update(PREIMAGE).digest();

/**
 * What the red team sent: an identifier with a payment hash the attacker chose (so the preimage
 * check passes) and any token id (a DerivedRootKeyStore derives a key for it), `n` one-byte
 * caveats and a made-up signature. Written as bytes: our own Macaroon refuses a 65th caveat.
 */
function forged(n: number): string {
  const bytes = encodeV2({
    location: new TextEncoder().encode('lsat'),
    identifier: encodeIdentifier({ paymentHash: PAYMENT_HASH, tokenId: new Uint8Array(32).fill(3) }),
    caveats: Array.from({ length: n }, () => new Uint8Array([0x61])),
    signature: new Uint8Array(32).fill(8),
  });
  return Buffer.from(bytes).toString('base64');
}

describe('a paywall refuses a forged token with more than 64 caveats when it decodes it, before any HMAC', () => {
  it('forged tokens with 64 and 65 caveats on a DerivedRootKeyStore seller: 402 bad_signature (chain computed) then 402 bad_macaroon naming 65 and 64', async () => {
    const w = makeWorld();
    const minter = createMinter({
      rootKeys: new DerivedRootKeyStore(new Uint8Array(32).fill(1)),
      randomBytes: (n) => new Uint8Array(n).fill(4),
    });
    const app = appWith(l402Paywall({ ...w, minter, node: w.seller, service: 'data', price: 5_000 }));
    const answers: unknown[] = [];
    for (const n of [64, 65, 3000]) {
      const authorization = formatAuthorization({ macaroon: forged(n), preimage: PREIMAGE.toString('hex') });
      const res = await app.request('/v1/data', { headers: { authorization } });
      const body = await json(res);
      answers.push([res.status, body.reason, body.message]);
    }
    expect(answers).toEqual([
      [
        402,
        'bad_signature',
        'macaroon signature does not verify for token 0303030303030303030303030303030303030303030303030303030303030303',
      ],
      [
        402,
        'bad_macaroon',
        'macaroon carries 65 caveats, more than the 64 this reader accepts; attenuate from a copy with fewer',
      ],
      [
        402,
        'bad_macaroon',
        'macaroon carries 3000 caveats, more than the 64 this reader accepts; attenuate from a copy with fewer',
      ],
    ]);
  });
});

describe('a reseller cannot delegate a copy past 64 caveats', () => {
  it('delegating 4 caveats (id, services, max_calls, valid_until) from a 61-caveat token is cannot_attenuate naming caveat 65; from a 60-caveat token the copy has 64', async () => {
    const clock = new VirtualClock();
    let seed = 0;
    const minter = createMinter({
      rootKeys: new DerivedRootKeyStore(new Uint8Array(32).fill(1)),
      randomBytes: (n) => new Uint8Array(n).fill(++seed),
    });
    const token = async (n: number) =>
      (
        await minter.mint({
          paymentHash: PAYMENT_HASH.toString('hex'),
          caveats: [
            caveats.services([{ name: 'data', tier: 0 }]),
            caveats.maxCalls('data', 10),
            ...Array.from({ length: n - 2 }, (_, i) =>
              formatCaveat({ condition: 'nonce', value: String(i) }),
            ),
          ],
        })
      ).token;
    const limits = { id: 'sub', calls: 2, validForSec: 60 };
    const at = (macaroon: string) => ({
      origin: 'http://origin.test',
      macaroon,
      preimage: PREIMAGE.toString('hex'),
    });

    const fits = delegate(at(await token(60)), limits, { clock });
    expect(Macaroon.fromBase64(fits.macaroon).caveats).toHaveLength(64);
    let refused: unknown;
    try {
      delegate(at(await token(61)), limits, { clock });
    } catch (e) {
      refused = { code: (e as { code?: unknown }).code, message: (e as Error).message };
    }
    expect(refused).toEqual({
      code: 'cannot_attenuate',
      message:
        'cannot delegate {"id":"sub","calls":2,"validForSec":60}: invalid_caveat: cannot add caveat 65: a macaroon carries at most 64 caveats (MAX_CAVEATS), more is refused when read; attenuate from a copy with fewer',
    });
  });
});
