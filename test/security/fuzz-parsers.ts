import { createHash } from 'node:crypto';
import { bech32 } from '@scure/base';
import fc from 'fast-check';
import { MemoryRootKeyStore, caveats, createMinter } from '../../infra/l402/index.js';
import { BOLT11_ERROR_CODES, decodeInvoice, encodeInvoice } from '../../infra/lightning/bolt11.js';
import { createRng } from '../../infra/random.js';
import type { FuzzTally } from './fuzz-common.js';
import { mutatedBytes, mutatedString, newTally, outcome, problem, runCases } from './fuzz-common.js';
import { nodeKeys } from './registry-helpers.js';
import { isLabError } from '../../infra/errors.js';

const NOW_S = 1_767_225_600; // 2026-01-01

/**
 * Macaroons: a genuine token with its bytes mutated (bit flips, truncation,
 * appended or replaced bytes, random bytes) and sometimes its preimage. The
 * verifier must answer with a value (never throw) and accept nothing but the
 * genuine bytes.
 */
export async function fuzzMacaroons(seed: number, count: number): Promise<FuzzTally> {
  const rng = createRng(`fuzz-macaroons-${seed}`);
  const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => rng.bytes(n) });
  const preimage = Buffer.from(rng.bytes(32)).toString('hex');
  const paymentHash = createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
  const { token } = await minter.mint({
    paymentHash,
    caveats: [caveats.services([{ name: 'search', tier: 0 }]), caveats.validUntil('search', NOW_S + 3600)],
  });
  const genuine = Buffer.from(token, 'base64');
  const ctx = { service: 'search', nowMs: NOW_S * 1000 };
  const arb = fc.record({
    bytes: mutatedBytes(genuine),
    preimage: fc.oneof(
      { weight: 4, arbitrary: fc.constant(preimage) },
      { weight: 1, arbitrary: mutatedString(preimage) },
    ),
  });
  return runCases(newTally('macaroons'), arb, seed, count, async ({ bytes, preimage: p }, t) => {
    const mac = Buffer.from(bytes).toString('base64');
    const r = await minter.verify(`L402 ${mac}:${p}`, ctx);
    if (!r.ok) return outcome(t, r.error.code);
    if (!Buffer.from(bytes).equals(genuine) || p.toLowerCase() !== preimage)
      problem(t, 'forgeries', `accepted ${mac}:${p}`);
    else outcome(t, 'genuine');
  });
}

/**
 * BOLT11 invoices: a genuine signed invoice mutated as text (the checksum
 * catches most), as 5-bit words re-encoded with a valid checksum (so the
 * signature check is what refuses), with random amounts in the prefix, and
 * random strings. Decoding must throw only a `LabError` with a BOLT 11 code, and nothing but the
 * genuine invoice may decode as signed by the genuine payee.
 */
export async function fuzzInvoices(seed: number, count: number): Promise<FuzzTally> {
  const { payee } = nodeKeys(seed, ['payee']);
  const genuine = encodeInvoice(
    {
      network: 'regtest',
      amountMsat: 10_000,
      paymentHash: 'ab'.repeat(32),
      paymentSecret: 'cd'.repeat(32),
      description: 'search tier 0',
      timestampSec: NOW_S,
    },
    payee.secret,
  );
  const { prefix, words } = bech32.decode(genuine as `${string}1${string}`, false);
  const wordEdits = fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 2 })), {
      minLength: 1,
      maxLength: 4,
    })
    .map((edits) => {
      const w = [...words];
      for (const [at, v, kind] of edits) {
        const i = at % (w.length + 1);
        if (kind === 0) w[Math.min(i, w.length - 1)] = v;
        else if (kind === 1) w.splice(i, 0, v);
        else w.splice(i, 1);
      }
      return bech32.encode(prefix, w, false);
    });
  const amounts = fc
    .tuple(fc.stringMatching(/^[0-9]{0,22}$/), fc.constantFrom('', 'm', 'u', 'n', 'p', 'x'))
    .map(([n, m]) => bech32.encode(`lnbcrt${n}${m}`, words, false));
  const arb = fc.oneof(
    { weight: 2, arbitrary: mutatedString(genuine) },
    { weight: 4, arbitrary: wordEdits },
    { weight: 1, arbitrary: amounts },
    { weight: 1, arbitrary: fc.string({ maxLength: 2000 }) },
    { weight: 1, arbitrary: fc.constant(genuine) },
  );
  return runCases(
    newTally('invoices'),
    arb,
    seed,
    count,
    (s, t) => {
      const d = decodeInvoice(s, { verify: true });
      if (d.payee === payee.pubkey && d.paymentRequest !== genuine) {
        problem(t, 'forgeries', `decoded as the payee's: ${s}`);
        return;
      }
      outcome(t, d.paymentRequest === genuine ? 'genuine' : 'decoded_other_payee');
    },
    (err) => (isLabError(err, ...BOLT11_ERROR_CODES) ? err.code : undefined),
  );
}
