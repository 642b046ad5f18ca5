import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import {
  caveats,
  createMinter,
  CredentialCache,
  DEFAULT_LOCATION,
  formatAuthorization,
  MemoryRootKeyStore,
  readCredential,
  verifyAuthorization,
  type VerifyResult,
} from '../../infra/l402/index.js';

const NOW_MS = 1_700_000_000_000;
const PREIMAGE = 'ab'.repeat(32);
const PAYMENT_HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest('hex');
const CTX = { service: 'search', nowMs: NOW_MS };
const code = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);

async function minted(seed: string, extra: string[] = []) {
  const rootKeys = new MemoryRootKeyStore();
  const rng = createRng(seed);
  const minter = createMinter({ rootKeys, randomBytes: (n) => rng.bytes(n) });
  const { token, tokenId } = await minter.mint({
    paymentHash: PAYMENT_HASH,
    caveats: [caveats.services([{ name: 'search', tier: 0 }]), ...extra],
  });
  return { rootKeys, minter, tokenId, auth: formatAuthorization({ macaroon: token, preimage: PREIMAGE }) };
}

describe('credentials read once, checked on every call', () => {
  it('a token verifies on its first and second call, and is refused on the third once its root key is deleted', async () => {
    const { rootKeys, minter, tokenId, auth } = await minted('revoke');
    expect([code(await minter.verify(auth, CTX)), code(await minter.verify(auth, CTX))]).toEqual([
      'ok',
      'ok',
    ]);
    await rootKeys.delete(tokenId);
    expect(code(await minter.verify(auth, CTX))).toBe('unknown_token');
  });

  it('a token verifies before its valid_until and is refused after it, with the same Authorization text', async () => {
    const { minter, auth } = await minted('expiry', [caveats.validUntil('search', NOW_MS / 1000 + 60)]);
    expect(code(await minter.verify(auth, CTX))).toBe('ok');
    expect(code(await minter.verify(auth, { ...CTX, nowMs: NOW_MS + 61_000 }))).toBe('expired');
  });

  it('a credential whose signature does not match its root key is refused on every call (bad_signature)', async () => {
    const a = await minted('sig-a');
    const b = await minted('sig-b');
    // Token b's root key under token a's id: the text reads fine, the HMAC chain does not end in its signature.
    await a.rootKeys.put(
      (await readCredential(b.auth)).tokenId,
      (await b.rootKeys.get(b.tokenId))!.map((x) => x ^ 1),
    );
    expect([code(await a.minter.verify(b.auth, CTX)), code(await a.minter.verify(b.auth, CTX))]).toEqual([
      'bad_signature',
      'bad_signature',
    ]);
  });

  it('keeps the credentials that read fine, at most its capacity of them, and none that failed', async () => {
    const cache = new CredentialCache(DEFAULT_LOCATION, 2);
    const auths = await Promise.all(['c1', 'c2', 'c3'].map(async (s) => (await minted(s)).auth));
    cache.read(auths[0]!);
    expect(cache.read(auths[0]!)).toBe(cache.read(auths[0]!));
    expect(cache.size).toBe(1);
    cache.read(auths[1]!);
    cache.read(auths[2]!);
    expect(cache.size).toBe(2);
    expect(() => cache.read(auths[0]!.replace(/:[0-9a-f]+$/, `:${'cd'.repeat(32)}`))).toThrow(/payment hash/);
    expect(cache.size).toBe(2);
  });

  it('refuses a credential minted at another location with or without a cache (bad_macaroon)', async () => {
    const { rootKeys, auth } = await minted('location');
    const elsewhere = { location: 'elsewhere', credentials: new CredentialCache('elsewhere') };
    expect(code(await verifyAuthorization(rootKeys, auth, CTX, elsewhere))).toBe('bad_macaroon');
    expect(code(await verifyAuthorization(rootKeys, auth, CTX, { location: 'elsewhere' }))).toBe(
      'bad_macaroon',
    );
  });

  it('throws a TypeError for a cache of one location used to verify for another', async () => {
    const { rootKeys, auth } = await minted('mixed');
    await expect(
      verifyAuthorization(rootKeys, auth, CTX, { location: 'x', credentials: new CredentialCache('y') }),
    ).rejects.toThrow(TypeError);
  });
});
