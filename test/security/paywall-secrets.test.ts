import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Macaroon,
  MemoryRootKeyStore,
  createMinter,
  formatAuthorization,
  parseChallenges,
} from '../../infra/l402/index.js';
import { SimNetwork, zeroLatency } from '../../infra/lightning/simnet/index.js';
import { createRng } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { createSeller, type Seller } from '../../services/sellers/index.js';
import { HOLD_REQUEST } from '../paywall/helpers.js';

/**
 * An attacker who knows the seed (the seller CLI's default is 1) tries to
 * recompute the seller's secrets: the macaroon root key and token id, the
 * hold-invoice preimage, the node's invoice preimage. Secrets come from the
 * OS, so every attempt meets a fresh 402.
 */

const SEED = 1;
const FIXED = { kind: 'fixed', ms: 0 } as const;

/** A seller as the CLI builds it with its default seed: embedded network, default secrets. */
async function defaultSeller(payOnSuccess = false) {
  const clock = new VirtualClock();
  const rng = createRng(SEED);
  const net = new SimNetwork({ clock, rng: rng.fork('network'), latency: zeroLatency() });
  const node = net.addNode({ alias: 'seller' });
  const seller = await createSeller(
    { archetype: 'data-feed', price: { kind: 'fixed', msat: 5_000 }, latency: FIXED, payOnSuccess },
    { node, clock, rng },
  );
  return { clock, net, node, seller };
}

async function challenge(seller: Seller, headers: Record<string, string> = {}) {
  const res = await seller.app.request(`${seller.path}?region=eu`, { headers });
  expect(res.status).toBe(402);
  return parseChallenges(res.headers.get('www-authenticate')!)[0]!;
}

async function call(clock: VirtualClock, seller: Seller, authorization: string): Promise<number> {
  const pending = Promise.resolve(
    seller.app.request(`${seller.path}?region=eu`, { headers: { authorization } }),
  );
  await clock.runUntilIdle();
  return (await pending).status;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('knowing the seed gives an attacker no secret', () => {
  it('a macaroon forged with the seeded root key and token id and the attacker own preimage gets 402', async () => {
    const { clock, seller } = await defaultSeller();
    // The seller mints its first token for the attacker's first request…
    const real = await challenge(seller);
    // …which, were keys seeded, the attacker could mint again over a payment hash of its own choosing.
    const keys = createRng(SEED).fork('keys');
    const forger = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => keys.bytes(n) });
    const preimage = new Uint8Array(32).fill(7);
    const forged = await forger.mint({
      paymentHash: sha256(preimage),
      caveats: Macaroon.fromBase64(real.macaroon).caveats,
    });
    const status = await call(
      clock,
      seller,
      formatAuthorization({ macaroon: forged.token, preimage: hex(preimage) }),
    );
    expect(status).toBe(402);
  });

  it('the preimage of a hold invoice cannot be recomputed from the seed', async () => {
    const { clock, seller } = await defaultSeller(true);
    const real = await challenge(seller, HOLD_REQUEST);
    const guessed = createRng(SEED).fork('preimages').bytes(32);
    const status = await call(
      clock,
      seller,
      formatAuthorization({ macaroon: real.macaroon, preimage: hex(guessed) }),
    );
    expect(status).toBe(402);
  });

  it("the preimage of the embedded node's invoice cannot be recomputed from the seed", async () => {
    const { clock, seller } = await defaultSeller();
    const real = await challenge(seller);
    const guessed = createRng(SEED).fork('network').fork('node/0').fork('invoices').bytes(32);
    const status = await call(
      clock,
      seller,
      formatAuthorization({ macaroon: real.macaroon, preimage: hex(guessed) }),
    );
    expect(status).toBe(402);
  });

  it('two default installs with the same seed have different node pubkeys', async () => {
    const a = await defaultSeller();
    const b = await defaultSeller();
    expect(a.seller.nodePubkey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(b.seller.nodePubkey).not.toBe(a.seller.nodePubkey);
  });
});
