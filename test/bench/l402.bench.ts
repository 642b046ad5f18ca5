/**
 * L402 core throughput: mint, verify (full header → facts), header parsing,
 * against a bare HMAC-SHA256 (the floor: verify does 2 + caveats HMACs and a
 * SHA-256) and the `macaroon` npm package's signature check.
 * Run: npm run bench -- l402
 */
import { createHash, createHmac } from 'node:crypto';
import * as npm from 'macaroon';
import {
  caveats,
  createMinter,
  formatAuthorization,
  formatChallenge,
  Macaroon,
  MemoryRootKeyStore,
  parseAuthorization,
  parseChallenges,
} from '../../infra/l402/index.js';
import { createRng } from '../../infra/random.js';
import { measure, report } from './harness.js';

const rng = createRng('bench-l402');
const store = new MemoryRootKeyStore();
const minter = createMinter({ rootKeys: store, randomBytes: (n) => rng.bytes(n) });
const preimage = Buffer.from(rng.bytes(32)).toString('hex');
const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
const NOW_S = 1_700_000_000;
const mintCaveats = [
  caveats.services([{ name: 'search', tier: 0 }]),
  caveats.capabilities('search', ['web', 'news']),
  caveats.validUntil('search', NOW_S + 3600),
  caveats.maxCalls('search', 100),
];
const { token, tokenId } = await minter.mint({ paymentHash, caveats: mintCaveats });
const authorization = formatAuthorization({ macaroon: token, preimage });
const challenge = formatChallenge({ macaroon: token, invoice: 'lnbcrt10u1' + 'q'.repeat(250) });
const apertureChallenge = `LSAT ${challenge.slice(5)}, ${challenge}`;
const ctx = { service: 'search', nowMs: NOW_S * 1000, capability: 'web' };
const rootKey = (await store.get(tokenId))!;
const identifier = Macaroon.fromBase64(token).identifier;

const check = await minter.verify(authorization, ctx);
if (!check.ok) throw check.error;

const npmMac = npm.importMacaroon(Buffer.from(token, 'base64'));

const rows = [
  await measure('bare HMAC-SHA256 (66 B)', () => createHmac('sha256', rootKey).update(identifier).digest()),
  await measure('mint (4 caveats)', () => minter.mint({ paymentHash, caveats: mintCaveats }), { batch: 20 }),
  await measure('verify (header → facts, 4 caveats)', () => minter.verify(authorization, ctx), { batch: 20 }),
  await measure('Macaroon.verifySignature only', () => Macaroon.fromBase64(token).verifySignature(rootKey)),
  await measure('npm macaroon verify (sjcl)', () => npmMac.verify(rootKey, () => null)),
  await measure('parse Authorization', () => parseAuthorization(authorization)),
  await measure('parse challenge (one)', () => parseChallenges(challenge)),
  await measure('parse challenge (Aperture pair)', () => parseChallenges(apertureChallenge)),
];
report('L402 core', rows, 'bare HMAC-SHA256 (66 B)');
const verify = rows.find((r) => r.name.startsWith('verify '))!;
const hmac = rows[0]!;
console.log(
  `verify costs ${(hmac.opsPerSec / verify.opsPerSec).toFixed(1)} bare HMACs ` +
    `(floor: 6 HMACs + 1 SHA-256 for 4 caveats).`,
);
