import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../infra/random.js';
import {
  attenuate,
  caveats,
  createMinter,
  encodeIdentifier,
  formatAuthorization,
  Macaroon,
  MemoryRootKeyStore,
  paymentHashOfToken,
  tokenIdOfToken,
  type Minter,
  type RootKeyStore,
  type VerifyContext,
  type VerifyResult,
} from '../../infra/l402/index.js';
import { LabError } from '../../infra/errors.js';

const NOW_MS = 1_700_000_000_000;
const NOW_S = NOW_MS / 1000;
const PREIMAGE = 'c0ffee'.repeat(10) + 'c0ff';
const PAYMENT_HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');
const CTX: VerifyContext = {
  service: 'search',
  nowMs: NOW_MS,
  capability: 'web',
  method: 'GET',
  path: '/v1/search/q',
};

const FULL = [
  caveats.services([
    { name: 'search', tier: 0 },
    { name: 'llm', tier: 1 },
  ]),
  caveats.capabilities('search', ['web', 'news']),
  caveats.validUntil('search', NOW_S + 3600),
  caveats.maxCalls('search', 10),
  caveats.methods('search', ['GET', 'POST']),
  caveats.pathPrefix('search', '/v1'),
];

let store: MemoryRootKeyStore;
let minter: Minter;
beforeEach(() => {
  store = new MemoryRootKeyStore();
  minter = createMinter({
    rootKeys: store,
    randomBytes: createRng('l402-verify').bytes.bind(createRng('l402-verify')),
  });
});

function seededMinter(seed: string, rootKeys: RootKeyStore = new MemoryRootKeyStore()): Minter {
  const rng = createRng(seed);
  return createMinter({ rootKeys, randomBytes: (n) => rng.bytes(n) });
}

const auth = (token: string, preimage = PREIMAGE) => formatAuthorization({ macaroon: token, preimage });
const fail = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);

describe('mint → verify', () => {
  it('a fresh token verifies and reports what it grants', async () => {
    const m = seededMinter('happy', store);
    const { token, tokenId } = await m.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const r = await m.verify(auth(token), CTX);
    if (!r.ok) throw r.error;
    expect(r.token).toMatchObject({
      tokenId,
      paymentHash: PAYMENT_HASH,
      preimage: PREIMAGE,
      caveats: FULL,
      services: [
        { name: 'search', tier: 0 },
        { name: 'llm', tier: 1 },
      ],
      capabilities: ['web', 'news'],
      validUntilMs: (NOW_S + 3600) * 1000,
      methods: ['GET', 'POST'],
      pathPrefix: '/v1',
    });
    expect(r.token.quotas).toEqual([
      { key: expect.stringMatching(new RegExp(`^${tokenId}:[0-9a-f]{64}$`)), limit: 10 },
    ]);
    expect(r.token.signature).toBe(Buffer.from(Macaroon.fromBase64(token).signature).toString('hex'));
  });

  it("a token carries Aperture's location and its payment hash and token id are readable without a key", async () => {
    const { token, tokenId } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: [] });
    expect(token.startsWith('AgEEbHNhdAJC')).toBe(true);
    expect(paymentHashOfToken(token)).toBe(PAYMENT_HASH);
    expect(tokenIdOfToken(token)).toBe(tokenId);
  });

  it('the same seed mints the same token (runs are reproducible)', async () => {
    const a = await seededMinter('same').mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const b = await seededMinter('same').mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const c = await seededMinter('other').mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    expect(a.token).toBe(b.token);
    expect(c.token).not.toBe(a.token);
  });

  it.each<[string, (token: string) => string]>([
    ['the LSAT scheme', (t) => `LSAT ${t}:${PREIMAGE}`],
    ['URL-safe unpadded base64', (t) => `L402 ${Buffer.from(t, 'base64').toString('base64url')}:${PREIMAGE}`],
    ['a preimage=… caveat added by a Go client', (t) => auth(attenuate(t, [`preimage=${PREIMAGE}`]))],
    ['caveats of other services and unknown ones', (t) => auth(attenuate(t, ['llm_max_calls=1', 'foo=bar']))],
    [
      'a caveat without "=" (skipped, as Aperture does)',
      (t) => auth(Macaroon.fromBase64(t).addFirstPartyCaveat('nonsense').toBase64()),
    ],
  ])('accepts %s', async (_name, build) => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    expect(fail(await minter.verify(build(token), CTX))).toBe('ok');
  });

  it('a token without caveats opens any service', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: [] });
    const r = await minter.verify(auth(token), { service: 'anything', nowMs: NOW_MS });
    expect(r.ok && r.token.services).toEqual([]);
  });

  it('refuses to mint with a bad payment hash or a widening caveat list', async () => {
    await expect(minter.mint({ paymentHash: 'abc', caveats: [] })).rejects.toMatchObject({
      code: 'malformed_identifier',
    });
    await expect(
      minter.mint({ paymentHash: PAYMENT_HASH, caveats: ['s_max_calls=1', 's_max_calls=2'] }),
    ).rejects.toMatchObject({ code: 'widening_caveat' });
    expect(store.size).toBe(0);
  });
});

describe('every failure has its code', () => {
  /** Appends caveats with a valid HMAC chain but without attenuate()'s narrowing check. */
  const forceCaveats = (token: string, extra: string[]) =>
    extra.reduce((m, c) => m.addFirstPartyCaveat(c), Macaroon.fromBase64(token)).toBase64();

  /** Same identifier, caveats and signature at another location. */
  const relocate = (token: string, location: string) => {
    const mac = Macaroon.fromBase64(token);
    const moved = Macaroon.mint({ rootKey: new Uint8Array(1), identifier: mac.identifier, location });
    const bytes = mac.caveats.reduce((m, c) => m.addFirstPartyCaveat(c), moved).toBinary();
    bytes.set(mac.signature, bytes.length - 32);
    return Buffer.from(bytes).toString('base64');
  };

  it.each<[string, string[], (token: string) => string, Partial<VerifyContext>, string]>([
    ['garbage in the header', FULL, () => 'Bearer xyz', {}, 'malformed_header'],
    ['a preimage that is not hex', FULL, (t) => `L402 ${t}:${'zz'.repeat(32)}`, {}, 'malformed_header'],
    ['bytes that are not a macaroon', FULL, () => `L402 AAAA:${PREIMAGE}`, {}, 'bad_macaroon'],
    [
      'a location changed after minting (it is not signed)',
      FULL,
      (t) => auth(relocate(t, 'evil')),
      {},
      'bad_macaroon',
    ],
    ['two macaroons (discharges)', FULL, (t) => `L402 ${t},${t}:${PREIMAGE}`, {}, 'bad_macaroon'],
    ['a wrong preimage', FULL, (t) => auth(t, '00'.repeat(32)), {}, 'wrong_preimage'],
    [
      'a caveat chain that widens',
      FULL,
      (t) => auth(forceCaveats(t, ['search_max_calls=11'])),
      {},
      'widening_caveat',
    ],
    [
      'a known caveat with a bad value',
      FULL,
      (t) => auth(forceCaveats(t, ['search_valid_until=soon'])),
      {},
      'invalid_caveat',
    ],
    ['an expiry in the past', [caveats.validUntil('search', NOW_S - 1)], auth, {}, 'expired'],
    ['an expiry exactly now', [caveats.validUntil('search', NOW_S)], auth, {}, 'expired'],
    ['another service', FULL, auth, { service: 'weather' }, 'service_mismatch'],
    ['a capability outside the list', FULL, auth, { capability: 'images' }, 'capability_denied'],
    [
      'no capability named when the token restricts them',
      FULL,
      auth,
      { capability: undefined },
      'capability_denied',
    ],
    ['max_calls=0', [caveats.maxCalls('search', 0)], auth, {}, 'quota_exceeded'],
    ['a method outside the list', FULL, auth, { method: 'DELETE' }, 'binding_mismatch'],
    ['no method when the token binds methods', FULL, auth, { method: undefined }, 'binding_mismatch'],
    ['a path outside the prefix', FULL, auth, { path: '/v2/search' }, 'binding_mismatch'],
    ['a path sharing only a string prefix', FULL, auth, { path: '/v1admin' }, 'binding_mismatch'],
    ['a path escaping with ..', FULL, auth, { path: '/v1/../admin' }, 'binding_mismatch'],
    ['a path escaping with %2e%2e', FULL, auth, { path: '/v1/%2e%2e/admin' }, 'binding_mismatch'],
    ['no path when the token binds a prefix', FULL, auth, { path: undefined }, 'binding_mismatch'],
  ])('%s → %s', async (_name, mintCaveats, build, ctx, code) => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: mintCaveats });
    expect(fail(await minter.verify(build(token), { ...CTX, ...ctx }))).toBe(code);
  });

  it('a lowercase method still matches', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    expect(fail(await minter.verify(auth(token), { ...CTX, method: 'get' }))).toBe('ok');
  });

  it('a revoked (deleted) root key → unknown_token', async () => {
    const { token, tokenId } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    await store.delete(tokenId);
    expect(fail(await minter.verify(auth(token), CTX))).toBe('unknown_token');
  });

  it('a token minted by another server with the same token id → bad_signature', async () => {
    const { token, tokenId } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    await store.put(tokenId, new Uint8Array(32).fill(9));
    expect(fail(await minter.verify(auth(token), CTX))).toBe('bad_signature');
  });

  it.each([
    ['an identifier of another version', 'unknown_version', Uint8Array.from([0, 1, ...new Uint8Array(64)])],
    ['an identifier of 65 bytes', 'malformed_identifier', new Uint8Array(65)],
  ])('%s → %s', async (_name, code, identifier) => {
    const token = Macaroon.mint({
      rootKey: new Uint8Array(32).fill(1),
      identifier,
      location: 'lsat',
    }).toBase64();
    expect(fail(await minter.verify(auth(token), CTX))).toBe(code);
  });

  it('checks the preimage before looking up the key (no store lookups for unpaid tokens)', async () => {
    const lookups: string[] = [];
    const spying: RootKeyStore = {
      get: async (id) => (lookups.push(id), store.get(id)),
      put: (id, k) => store.put(id, k),
      delete: (id) => store.delete(id),
    };
    const m = createMinter({
      rootKeys: spying,
      randomBytes: (n) => new Uint8Array(n).fill(lookups.length + 1),
    });
    const { token } = await m.mint({ paymentHash: PAYMENT_HASH, caveats: [] });
    expect(fail(await m.verify(auth(token, '11'.repeat(32)), CTX))).toBe('wrong_preimage');
    expect(lookups).toEqual([]);
  });

  it('a failing key store becomes key_store_unavailable with a fixed message and the store error as cause, not an exception', async () => {
    const broken: RootKeyStore = {
      get: async () => {
        throw new Error('disk on fire');
      },
      put: async () => {},
      delete: async () => {},
    };
    const m = createMinter({ rootKeys: broken, randomBytes: (n) => new Uint8Array(n) });
    const { token } = await m.mint({ paymentHash: PAYMENT_HASH, caveats: [] });
    const r = await m.verify(auth(token), CTX);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('key_store_unavailable');
      expect(r.error.message).toBe(
        `the root key store did not answer, so token ${tokenIdOfToken(token)} could not be checked; retry later with the same token`,
      );
      expect((r.error.cause as Error).message).toBe('disk on fire');
    }
  });
});

describe('quotas', () => {
  it('copies attenuated from one token share the root counter and each has its own', async () => {
    const { token, tokenId } = await minter.mint({
      paymentHash: PAYMENT_HASH,
      caveats: [caveats.maxCalls('search', 10)],
    });
    const a = attenuate(token, [caveats.maxCalls('search', 3)]);
    const b = attenuate(token, [caveats.maxCalls('search', 5)]);
    const facts = async (t: string) => {
      const r = await minter.verify(auth(t), CTX);
      if (!r.ok) throw r.error;
      return r.token.quotas;
    };
    const [root, qa, qb] = [await facts(token), await facts(a), await facts(b)];
    expect(root).toHaveLength(1);
    expect(qa[0]).toEqual(root[0]);
    expect(qb[0]).toEqual(root[0]);
    expect(qa[1]).toMatchObject({ limit: 3 });
    expect(qb[1]).toMatchObject({ limit: 5 });
    expect(qa[1]!.key).not.toBe(qb[1]!.key);
    for (const q of [...qa, ...qb]) expect(q.key.startsWith(`${tokenId}:`)).toBe(true);
  });

  it('the same attenuation twice gives the same key (the counter follows the caveat, not the copy)', async () => {
    const { token } = await minter.mint({
      paymentHash: PAYMENT_HASH,
      caveats: [caveats.maxCalls('search', 10)],
    });
    const r1 = await minter.verify(auth(attenuate(token, ['search_max_calls=2'])), CTX);
    const r2 = await minter.verify(auth(attenuate(token, ['search_max_calls=2'])), CTX);
    expect(r1.ok && r2.ok && r1.token.quotas[1]!.key === r2.token.quotas[1]!.key).toBe(true);
  });
});

describe('properties: tampering is always caught', () => {
  const PROPS = { numRuns: 300 };

  it('flipping any bit of any byte of the token is rejected with the code of the part hit', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const bin = Buffer.from(token, 'base64');
    const idStart = bin.indexOf(
      Buffer.from(
        encodeIdentifier({
          paymentHash: Buffer.from(PAYMENT_HASH, 'hex'),
          tokenId: Buffer.from(tokenIdOfToken(token), 'hex'),
        }),
      ),
    );
    const sigStart = bin.length - 32;
    const firstCaveatData = bin.indexOf(Buffer.from(FULL[0]!));
    const expectedCode = (i: number): string[] => {
      if (i >= sigStart) return ['bad_signature'];
      if (i >= idStart && i < idStart + 2) return ['unknown_version'];
      if (i >= idStart + 2 && i < idStart + 34) return ['wrong_preimage'];
      if (i >= idStart + 34 && i < idStart + 66) return ['unknown_token'];
      // caveat text: still valid UTF-8 → signature fails; otherwise the parser refuses it
      if (i >= firstCaveatData && isCaveatData(i)) return ['bad_signature', 'bad_macaroon'];
      return [
        'bad_macaroon',
        'malformed_identifier',
        'unknown_version',
        'wrong_preimage',
        'unknown_token',
        'bad_signature',
      ];
    };
    const caveatRanges: [number, number][] = [];
    for (let from = 0, k = 0; k < FULL.length; k++) {
      const at = bin.indexOf(Buffer.from(FULL[k]!), from);
      caveatRanges.push([at, at + FULL[k]!.length]);
      from = at + 1;
    }
    const isCaveatData = (i: number) => caveatRanges.some(([a, b]) => i >= a && i < b);
    await fc.assert(
      fc.asyncProperty(fc.nat(bin.length - 1), fc.integer({ min: 0, max: 7 }), async (i, bit) => {
        const bad = Buffer.from(bin);
        bad[i]! ^= 1 << bit;
        const code = fail(await minter.verify(auth(bad.toString('base64')), CTX));
        expect(expectedCode(i)).toContain(code);
      }),
      { numRuns: 600 },
    );
  });

  it('changing any character of the base64 token is rejected', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 1), fc.constantFrom(...alphabet), async (i, ch) => {
        fc.pre(token[i] !== ch && token[i] !== '=');
        const bad = token.slice(0, i) + ch + token.slice(i + 1);
        expect(fail(await minter.verify(auth(bad), CTX))).not.toBe('ok');
      }),
      PROPS,
    );
  });

  it('dropping any caveat, or swapping two different ones, breaks the signature', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const mac = Macaroon.fromBase64(token);
    const rebuild = (list: string[]) => {
      // same identifier and signature, different caveat list: what a forger would send
      const bytes = Macaroon.mint({
        rootKey: new Uint8Array(1),
        identifier: mac.identifier,
        location: 'lsat',
      });
      const forged = list.reduce((m, c) => m.addFirstPartyCaveat(c), bytes).toBinary();
      forged.set(mac.signature, forged.length - 32);
      return Buffer.from(forged).toString('base64');
    };
    expect(fail(await minter.verify(auth(rebuild(FULL)), CTX))).toBe('ok');
    await fc.assert(
      fc.asyncProperty(fc.nat(FULL.length - 1), fc.nat(FULL.length - 1), fc.boolean(), async (i, j, drop) => {
        const list = [...FULL];
        if (drop) list.splice(i, 1);
        else {
          fc.pre(i !== j);
          [list[i], list[j]] = [list[j]!, list[i]!];
        }
        expect(fail(await minter.verify(auth(rebuild(list)), CTX))).toBe('bad_signature');
      }),
      PROPS,
    );
  });

  it('any widening caveat appended with a valid HMAC is rejected as widening_caveat', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    const widening = fc.oneof(
      fc.integer({ min: 11, max: 1_000_000 }).map((n) => caveats.maxCalls('search', n)),
      fc.integer({ min: NOW_S + 3601, max: NOW_S * 2 }).map((t) => caveats.validUntil('search', t)),
      fc.constantFrom(
        caveats.capabilities('search', ['web', 'images']),
        caveats.methods('search', ['DELETE']),
        caveats.pathPrefix('search', '/v2'),
        caveats.pathPrefix('search', '/'),
        caveats.services([
          { name: 'search', tier: 0 },
          { name: 'admin', tier: 0 },
        ]),
        caveats.services([{ name: 'search', tier: 1 }]),
      ),
    );
    const narrowing = fc.constantFrom(
      caveats.maxCalls('search', 5),
      caveats.pathPrefix('search', '/v1/search'),
      caveats.capabilities('search', ['web']),
      'preimage=' + PREIMAGE,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(narrowing, { maxLength: 3 }), widening, async (before, wide) => {
        const t = [...before, wide].reduce((m, c) => m.addFirstPartyCaveat(c), Macaroon.fromBase64(token));
        expect(fail(await minter.verify(auth(t.toBase64()), CTX))).toBe('widening_caveat');
        expect(() => attenuate(token, [...before, wide])).toThrow(LabError);
      }),
      PROPS,
    );
  });

  it('any preimage but the right one is wrong_preimage', async () => {
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: FULL });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (pre) => {
        const hex = Buffer.from(pre).toString('hex');
        fc.pre(hex !== PREIMAGE);
        expect(fail(await minter.verify(auth(token, hex), CTX))).toBe('wrong_preimage');
      }),
      PROPS,
    );
  });

  it('random Authorization strings give a coded failure, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300, unit: 'binary' }), async (s) => {
        const r = await minter.verify(`L402 ${s}:${PREIMAGE}`, CTX);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toBeInstanceOf(LabError);
      }),
      PROPS,
    );
  });
});
