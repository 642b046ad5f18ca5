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
import { currentLoad, interleave, writeResults, type Case } from './harness.js';

const load = currentLoad();

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

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MIN_MS = Number(process.env.BENCH_MS ?? 300);
const cases: Case[] = [
  { name: 'bare HMAC-SHA256 (66 B)', run: () => createHmac('sha256', rootKey).update(identifier).digest() },
  { name: 'mint (4 caveats)', run: () => minter.mint({ paymentHash, caveats: mintCaveats }), batch: 20 },
  { name: 'verify (header → facts, 4 caveats)', run: () => minter.verify(authorization, ctx), batch: 20 },
  { name: 'Macaroon.verifySignature only', run: () => Macaroon.fromBase64(token).verifySignature(rootKey) },
  { name: 'npm macaroon verify (sjcl)', run: () => npmMac.verify(rootKey, () => null) },
  { name: 'parse Authorization', run: () => parseAuthorization(authorization) },
  { name: 'parse challenge (one)', run: () => parseChallenges(challenge) },
  { name: 'parse challenge (Aperture pair)', run: () => parseChallenges(apertureChallenge) },
];
const rows = await interleave(cases, { rounds: ROUNDS, minMs: MIN_MS });
writeResults(
  {
    bench: 'l402',
    command: 'npm run bench -- l402',
    settings: { rounds: ROUNDS, 'ms per row per round': MIN_MS },
    tables: [
      {
        id: 'core',
        title: 'L402 core operations per second, one core, interleaved rounds',
        unit: 'ops/s',
        higherIsBetter: true,
        baseline: 'bare HMAC-SHA256 (66 B)',
        rows,
        compare: [['verify (header → facts, 4 caveats)', 'npm macaroon verify (sjcl)']],
      },
    ],
  },
  load,
);
