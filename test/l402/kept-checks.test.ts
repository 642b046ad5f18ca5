import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../infra/random.js';
import {
  caveats,
  createMinter,
  CredentialCache,
  DEFAULT_LOCATION,
  DerivedRootKeyStore,
  formatAuthorization,
  Macaroon,
  MemoryRootKeyStore,
  verifyAuthorization,
  type RootKeyStore,
  type VerifyResult,
} from '../../infra/l402/index.js';

const NOW_MS = 1_700_000_000_000;
const PREIMAGE = '5e'.repeat(32);
const PAYMENT_HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');
const CTX = { service: 'search', nowMs: NOW_MS, method: 'GET' };
const code = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);
const auth = (token: string) => formatAuthorization({ macaroon: token, preimage: PREIMAGE });

async function minted(rootKeys: RootKeyStore, seed: string, extra: string[] = []) {
  const rng = createRng(seed);
  const minter = createMinter({ rootKeys, randomBytes: (n) => rng.bytes(n) });
  const { token, tokenId } = await minter.mint({
    paymentHash: PAYMENT_HASH,
    caveats: [
      caveats.services([
        { name: 'search', tier: 0 },
        { name: 'maps', tier: 1 },
      ]),
      caveats.maxCalls('search', 10),
      ...extra,
    ],
  });
  return { minter, token, tokenId, auth: auth(token) };
}

/** Counts the HMAC chains actually computed (what the bench's crypto counter counts). */
const chainsComputed = () => vi.spyOn(Macaroon.prototype, 'signatureChain');
const derivedStore = (seed: string, keptKeys?: number) =>
  new DerivedRootKeyStore(createRng(seed).bytes(32), keptKeys);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a token's repeated calls: chain computed and caveats read once, root key looked up every time", () => {
  it('computes the HMAC chain once for three calls with the same root key', async () => {
    const { minter, auth } = await minted(derivedStore('once'), 'once');
    const chains = chainsComputed();
    for (let i = 0; i < 3; i++) expect(code(await minter.verify(auth, CTX))).toBe('ok');
    expect(chains).toHaveBeenCalledTimes(1);
  });

  it('refuses the very next call once the root key is deleted, with a derived or a stored key', async () => {
    for (const rootKeys of [derivedStore('revoke'), new MemoryRootKeyStore()]) {
      const { minter, tokenId, auth } = await minted(rootKeys, 'revoke');
      expect([code(await minter.verify(auth, CTX)), code(await minter.verify(auth, CTX))]).toEqual([
        'ok',
        'ok',
      ]);
      await rootKeys.delete(tokenId);
      expect(code(await minter.verify(auth, CTX))).toBe('unknown_token');
    }
  });

  it('checks the chain again when the store returns another root key for the token (bad_signature)', async () => {
    const rootKeys = new MemoryRootKeyStore();
    const { minter, tokenId, auth } = await minted(rootKeys, 'rekey');
    expect(code(await minter.verify(auth, CTX))).toBe('ok');
    const key = (await rootKeys.get(tokenId))!;
    key[0]! ^= 1;
    await rootKeys.put(tokenId, key);
    expect(code(await minter.verify(auth, CTX))).toBe('bad_signature');
  });

  it('a token with any bit of its signature or caveats flipped never passes on a verified copy', async () => {
    const { minter, token, auth: good } = await minted(derivedStore('tamper'), 'tamper');
    const bin = Buffer.from(token, 'base64');
    const signed = bin.indexOf(Buffer.from('services='));
    expect(code(await minter.verify(good, CTX))).toBe('ok');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: signed, max: bin.length - 1 }), fc.nat(7), async (i, bit) => {
        const bad = Buffer.from(bin);
        bad[i]! ^= 1 << bit;
        expect(code(await minter.verify(auth(bad.toString('base64')), CTX))).not.toBe('ok');
        expect(code(await minter.verify(good, CTX))).toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('reads the caveats again for another service, and checks every call against its own request', async () => {
    const { minter, auth } = await minted(derivedStore('svc'), 'svc', [caveats.methods('search', ['GET'])]);
    const search = await minter.verify(auth, CTX);
    const maps = await minter.verify(auth, { ...CTX, service: 'maps' });
    expect(search.ok && search.token.quotas.length).toBe(1);
    expect(maps.ok && maps.token.quotas.length).toBe(0);
    expect(code(await minter.verify(auth, { ...CTX, method: 'POST' }))).toBe('binding_mismatch');
    expect(code(await minter.verify(auth, { ...CTX, service: 'llm' }))).toBe('service_mismatch');
  });

  it("hands every call its own facts: a caller changing one call's facts changes nothing for the next", async () => {
    const { minter, auth } = await minted(derivedStore('facts'), 'facts');
    const first = await minter.verify(auth, CTX);
    if (!first.ok) throw first.error;
    const expected = structuredClone(first.token);
    first.token.services.push({ name: 'llm', tier: 9 });
    first.token.services[0]!.tier = 7;
    first.token.quotas[0]!.limit = 1_000;
    first.token.caveats.length = 0;
    const second = await minter.verify(auth, CTX);
    expect(second.ok && JSON.stringify(second.token)).toBe(JSON.stringify(expected));
  });
});

describe('what is kept is bounded', () => {
  it('keeps checks only for the credentials the cache holds: an evicted one is read and checked again', async () => {
    const rootKeys = derivedStore('bound');
    const tokens = await Promise.all(['b1', 'b2', 'b3'].map((s) => minted(rootKeys, s)));
    const credentials = new CredentialCache(DEFAULT_LOCATION, 2);
    const verify = (a: string) =>
      verifyAuthorization(rootKeys, a, CTX, { location: DEFAULT_LOCATION, credentials });
    const chains = chainsComputed();
    for (const t of tokens) expect(code(await verify(t.auth))).toBe('ok');
    expect(credentials.size).toBe(2);
    expect(code(await verify(tokens[2]!.auth))).toBe('ok');
    expect(chains).toHaveBeenCalledTimes(3);
    expect(code(await verify(tokens[0]!.auth))).toBe('ok');
    expect(chains).toHaveBeenCalledTimes(4);
  });

  it('a derived store keeps at most keptKeys keys: the oldest is derived again', async () => {
    const rootKeys = derivedStore('kept', 2);
    const derive = vi.spyOn(rootKeys, 'derive');
    const ids = ['a', 'b', 'c'].map((c) => c.repeat(64));
    for (const id of [...ids, ids[2]!, ids[0]!]) await rootKeys.get(id);
    expect(derive).toHaveBeenCalledTimes(4);
    expect(await rootKeys.get(ids[0]!)).toEqual(rootKeys.derive(ids[0]!));
  });

  it("a derived store's kept key is a copy: changing what get returned changes nothing", async () => {
    const rootKeys = derivedStore('copy');
    const id = 'd'.repeat(64);
    for (let i = 0; i < 2; i++) (await rootKeys.get(id))!.fill(0);
    expect(await rootKeys.get(id)).toEqual(rootKeys.derive(id));
  });
});
