/**
 * The crypto operations the simulator's runs are counted doing
 * (`crypto-count.ts`), each timed on its own: a BOLT11 signature, a key
 * recovery and a signature verify on libsecp256k1, a macaroon mint, one
 * caveat added, and a signature-chain check of a macaroon with the four
 * caveats the sellers mint (services, capabilities, max_calls, valid_until).
 */
import { createHash } from 'node:crypto';
import { caveats, Macaroon } from '../../infra/l402/index.js';
import { defaultSecp } from '../../infra/lightning/secp.js';
import { createRng } from '../../infra/random.js';
import type { CryptoOp } from './crypto-count.js';
import type { Case } from './harness.js';

/** One timed case per counted operation, named as the counter names it. */
export function cryptoCases(): (Case & { name: CryptoOp })[] {
  const rng = createRng('bench/crypto');
  const key = rng.bytes(32);
  const digests = Array.from(
    { length: 64 },
    (_, i) => new Uint8Array(createHash('sha256').update(`d${i}`).digest()),
  );
  const signed = digests.map((d) => defaultSecp.signRecoverable(d, key));
  const pub = defaultSecp.publicKey(key);
  const rootKey = rng.bytes(32);
  const identifier = rng.bytes(66);
  const bare = Macaroon.mint({ rootKey, identifier, location: 'l402' });
  const sellerToken = [
    caveats.services([{ name: 'feed-0', tier: 0 }]),
    caveats.capabilities('feed-0', ['anomalies:read']),
    caveats.maxCalls('feed-0', 10),
    caveats.validUntil('feed-0', 1_767_225_600),
  ].reduce((m, c) => m.addFirstPartyCaveat(c), bare);
  return [
    { name: 'invoice signature', run: (i) => defaultSecp.signRecoverable(digests[i & 63]!, key) },
    {
      name: 'signature recovery',
      run: (i) =>
        defaultSecp.recover(digests[i & 63]!, signed[i & 63]!.signature, signed[i & 63]!.recoveryId),
    },
    {
      name: 'signature verify',
      run: (i) => defaultSecp.verify(digests[i & 63]!, pub, signed[i & 63]!.signature),
    },
    { name: 'macaroon mint', run: () => Macaroon.mint({ rootKey, identifier, location: 'l402' }), batch: 20 },
    { name: 'caveat added', run: () => bare.addFirstPartyCaveat('feed-0_max_calls=10'), batch: 20 },
    { name: 'macaroon chain check', run: () => sellerToken.signatureChain(rootKey), batch: 20 },
  ];
}
