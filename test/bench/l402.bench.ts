/**
 * L402 core throughput: mint; verify, header → facts, two ways: the first use
 * of a header (each call a header the minter's credential cache does not
 * hold: parse, SHA-256 of the preimage, root-key lookup, 2 + caveats HMACs,
 * caveats read and checked) and a held token's repeat call (a cache hit:
 * root-key lookup and the caveats checked against the request); header
 * parsing; against a bare HMAC-SHA256 (the floor of the first use) and the
 * `macaroon` npm package's signature check. After timing, the two verify
 * rows are checked to do what their names say (HMAC chains counted).
 * Run: npm run bench -- l402
 */
import { createHash, createHmac } from 'node:crypto';
import * as npm from 'macaroon';
import {
  caveats,
  createMinter,
  CredentialCache,
  formatAuthorization,
  formatChallenge,
  Macaroon,
  MemoryRootKeyStore,
  parseAuthorization,
  parseChallenges,
} from '../../infra/l402/index.js';
import { createRng } from '../../infra/random.js';
import { installCryptoCounter } from './crypto-count.js';
import { settledLoad, interleave, writeResults, type Case } from './harness.js';

const load = await settledLoad();

const rng = createRng('bench-l402');
const store = new MemoryRootKeyStore();
const minter = createMinter({ rootKeys: store, randomBytes: (n) => rng.bytes(n) });
const NOW_S = 1_700_000_000;
const mintCaveats = [
  caveats.services([{ name: 'search', tier: 0 }]),
  caveats.capabilities('search', ['web', 'news']),
  caveats.validUntil('search', NOW_S + 3600),
  caveats.maxCalls('search', 100),
];
/** A paid token: its Authorization header, base64 token and root-key id. */
async function paidToken() {
  const preimage = Buffer.from(rng.bytes(32)).toString('hex');
  const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
  const minted = await minter.mint({ paymentHash, caveats: mintCaveats });
  return { ...minted, paymentHash, authorization: formatAuthorization({ macaroon: minted.token, preimage }) };
}
const { token, tokenId, paymentHash, authorization } = await paidToken();
// First use: cycling through more headers than the minter's credential cache keeps (oldest out first) misses every time.
const POOL = 4 * new CredentialCache(undefined).capacity;
const pool = await Promise.all(Array.from({ length: POOL }, async () => (await paidToken()).authorization));
const challenge = formatChallenge({ macaroon: token, invoice: 'lnbcrt10u1' + 'q'.repeat(250) });
const apertureChallenge = `LSAT ${challenge.slice(5)}, ${challenge}`;
const ctx = { service: 'search', nowMs: NOW_S * 1000, capability: 'web' };
const rootKey = (await store.get(tokenId))!;
const identifier = Macaroon.fromBase64(token).identifier;

/** Verifies `header`; a refusal ends the bench (it would otherwise count as an operation). */
async function verified(header: string): Promise<void> {
  const r = await minter.verify(header, ctx);
  if (!r.ok) throw r.error;
}
// One cursor for the whole run (a round's calls do not start over at the pool's first header, which an earlier
// round may have left in the cache): cycling this way, the header asked for is always the one longest out of it.
let cursor = 0;
const firstUse = () => verified(pool[cursor++ % POOL]!);

const npmMac = npm.importMacaroon(Buffer.from(token, 'base64'));

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const MIN_MS = Number(process.env.BENCH_MS ?? 300);
const FIRST = 'verify, first use of a header (4 caveats)';
const HELD = 'verify, held token (cache hit)';
const cases: Case[] = [
  { name: 'bare HMAC-SHA256 (66 B)', run: () => createHmac('sha256', rootKey).update(identifier).digest() },
  { name: 'mint (4 caveats)', run: () => minter.mint({ paymentHash, caveats: mintCaveats }), batch: 20 },
  { name: FIRST, run: firstUse, batch: 20 },
  { name: HELD, run: () => verified(authorization), batch: 20 },
  { name: 'Macaroon.verifySignature only', run: () => Macaroon.fromBase64(token).verifySignature(rootKey) },
  { name: 'npm macaroon verify (sjcl)', run: () => npmMac.verify(rootKey, () => null) },
  { name: 'parse Authorization', run: () => parseAuthorization(authorization) },
  { name: 'parse challenge (one)', run: () => parseChallenges(challenge) },
  { name: 'parse challenge (Aperture pair)', run: () => parseChallenges(apertureChallenge) },
];
const rows = await interleave(cases, { rounds: ROUNDS, minMs: MIN_MS });

/** HMAC chains the two verify rows compute over `n` calls each: one per call for the first use, none for a held token. */
async function chainsPerRow(n: number): Promise<{ first: number; held: number }> {
  const counter = installCryptoCounter();
  counter.take();
  for (let i = 0; i < n; i++) await firstUse();
  const first = counter.take()['macaroon chain check'];
  // The first-use calls pushed the held token out of the cache: one call takes it back, as each round's first does.
  await verified(authorization);
  counter.take();
  for (let i = 0; i < n; i++) await verified(authorization);
  return { first, held: counter.take()['macaroon chain check'] };
}
const CHECKED = 2 * POOL;
const chains = await chainsPerRow(CHECKED);
if (chains.first !== CHECKED || chains.held !== 0)
  throw new Error(
    `verify rows do not do what their names say: ${chains.first} HMAC chains in ${CHECKED} first uses, ${chains.held} in ${CHECKED} held-token calls`,
  );
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
        compare: [
          [FIRST, 'npm macaroon verify (sjcl)'],
          [HELD, FIRST],
        ],
      },
    ],
    notes: [
      `${FIRST}: cycles through ${POOL} tokens, more than the ${POOL / 4} the minter's credential cache keeps; checked after timing: ${chains.first} HMAC chains computed in ${CHECKED} calls.`,
      `${HELD}: one header every call; checked after timing: ${chains.held} HMAC chains computed in ${CHECKED} calls.`,
    ],
  },
  load,
);
