import { describe, expect, it } from 'vitest';
import {
  createMinter,
  DerivedRootKeyStore,
  MemoryRootKeyStore,
  tokenIdOfToken,
  type RootKeyStore,
} from '../../infra/l402/index.js';
import { insecureSeededSecrets } from '../../infra/random.js';
import { l402Paywall } from '../../services/paywall/index.js';
import { appWith, buy, inMemory, json, makeWorld } from '../paywall/helpers.js';

/** A paywall whose minter keeps its root keys in `rootKeys`. */
function sellerWith(rootKeys: RootKeyStore) {
  const w = makeWorld();
  const keys = insecureSeededSecrets(w.rng.fork('root-keys'));
  const minter = createMinter({ rootKeys, randomBytes: (n) => keys.bytes(n) });
  const app = appWith(l402Paywall({ ...w, minter, node: w.seller, service: 'weather', price: 5_000 }));
  return { w, app };
}

describe('unpaid challenges leave no per-challenge state in the root key store', () => {
  it('1,000 unpaid 402s leave 1,000 root keys in a memory store and none in a derived one', async () => {
    const memory = new MemoryRootKeyStore();
    const derived = new DerivedRootKeyStore(new Uint8Array(32).fill(7));
    for (const store of [memory, derived]) {
      const { app } = sellerWith(store);
      for (let i = 0; i < 1_000; i++) expect((await app.request('/v1/data')).status).toBe(402);
    }
    expect([memory.size, derived.size]).toEqual([1_000, 0]);
  });

  it('with derived root keys a paid token is served, a revoked one is refused, and only the revocation is kept', async () => {
    const store = new DerivedRootKeyStore(new Uint8Array(32).fill(7));
    const { w, app } = sellerWith(store);
    const { res, authorization, challenge } = await buy(w, inMemory(app), '/v1/data');
    expect(res.status).toBe(200);

    await store.delete(tokenIdOfToken(challenge.macaroon));
    const again = await app.request('/v1/data', { headers: { authorization } });

    expect(again.status).toBe(402);
    expect((await json(again)).reason).toBe('unknown_token');
    expect(store.size).toBe(1);
  });

  it('a derived store refuses a secret shorter than 32 bytes', () => {
    expect(() => new DerivedRootKeyStore(new Uint8Array(16))).toThrow(
      'DerivedRootKeyStore needs a secret of at least 32 bytes, got 16',
    );
  });
});
