import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import {
  MAX_QUOTA_CAVEATS,
  Macaroon,
  MemoryRootKeyStore,
  attenuate,
  caveats,
  createMinter,
  formatAuthorization,
} from '../../infra/l402/index.js';

const NOW_MS = 1_700_000_000_000;
const PREIMAGE = 'c0ffee'.repeat(10) + 'c0ff';
const PAYMENT_HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');
const CTX = { service: 'search', nowMs: NOW_MS };

/** A minter and a 10-call `search` token it minted. */
async function tenCallToken() {
  const rng = createRng('quota-caveats');
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const { token } = await minter.mint({
    paymentHash: PAYMENT_HASH,
    caveats: [caveats.maxCalls('search', 10)],
  });
  const verify = (macaroon: string) =>
    minter.verify(formatAuthorization({ macaroon, preimage: PREIMAGE }), CTX);
  return { token, verify };
}

const TOO_MANY =
  'search_max_calls: more than 8 of these caveats in one token; attenuate from a copy with fewer';

describe('how many max_calls caveats a token may carry, and which of them count', () => {
  it('a token carries at most 8 search_max_calls caveats', () => {
    expect(MAX_QUOTA_CAVEATS).toBe(8);
  });

  it('attenuate refuses a 9th search_max_calls caveat as invalid_caveat', async () => {
    const { token } = await tenCallToken();
    const eight = attenuate(
      token,
      Array.from({ length: 7 }, () => caveats.maxCalls('search', 10)),
    );

    expect(() => attenuate(eight, [caveats.maxCalls('search', 1)])).toThrow(
      expect.objectContaining({ code: 'invalid_caveat', message: TOO_MANY }),
    );
  });

  it('the verifier refuses a token with a raw-appended 9th search_max_calls caveat as invalid_caveat and accepts 8', async () => {
    const { token, verify } = await tenCallToken();
    let mac = Macaroon.fromBase64(token);
    for (let i = 0; i < 7; i++) mac = mac.addFirstPartyCaveat('search_max_calls=3');
    const eight = await verify(mac.toBase64());
    const nine = await verify(mac.addFirstPartyCaveat('search_max_calls=3').toBase64());

    expect(eight.ok && eight.token.quotas.map((q) => q.limit)).toEqual([10, 3]);
    expect(nine.ok ? 'accepted' : [nine.error.code, nine.error.message]).toEqual([
      'invalid_caveat',
      TOO_MANY,
    ]);
  });

  it('limits 10, 10, 3, 3, 1 are read as three quotas: 10, 3 and 1, keyed by the first caveat of each limit', async () => {
    const { token, verify } = await tenCallToken();
    const three = attenuate(token, [caveats.maxCalls('search', 10), caveats.maxCalls('search', 3)]);
    const copy = attenuate(three, [caveats.maxCalls('search', 3), caveats.maxCalls('search', 1)]);
    const [r, r3] = [await verify(copy), await verify(three)];
    const quotas = r.ok ? r.token.quotas : [];
    const quotas3 = r3.ok ? r3.token.quotas : [];

    expect(quotas.map((q) => q.limit)).toEqual([10, 3, 1]);
    expect(quotas.slice(0, 2)).toEqual(quotas3);
  });
});
