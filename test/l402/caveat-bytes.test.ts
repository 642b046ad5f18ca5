import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  attenuate,
  caveats,
  deriveMacaroonKey,
  encodeIdentifier,
  formatAuthorization,
  Macaroon,
  MemoryRootKeyStore,
  tokenLimits,
  verifyAuthorization,
  type VerifyContext,
} from '../../infra/l402/index.js';
import { hmac } from '../../infra/l402/macaroon.js';
import { encodeV2 } from '../../infra/l402/macaroon-binary.js';

const NOW_MS = 1_700_000_000_000;
const PREIMAGE = 'ab'.repeat(32);
const PAYMENT_HASH = createHash('sha256').update(Buffer.from(PREIMAGE, 'hex')).digest();
const TOKEN_ID = new Uint8Array(32).fill(7);
const ROOT_KEY = new Uint8Array(32).fill(9);
const utf8 = (s: string) => new TextEncoder().encode(s);
/** `condition=` followed by bytes that are not UTF-8 (a lone continuation byte and 0xff). */
const raw = (condition: string) => Uint8Array.from([...utf8(`${condition}=`), 0x80, 0xff]);

/** A token whose caveats are given as bytes, signed as Go's macaroon package signs them. */
function tokenWith(caveatBytes: Uint8Array[]): string {
  const identifier = encodeIdentifier({ paymentHash: PAYMENT_HASH, tokenId: TOKEN_ID });
  let signature = hmac(deriveMacaroonKey(ROOT_KEY), identifier);
  for (const c of caveatBytes) signature = hmac(signature, c);
  const bin = encodeV2({ location: utf8('lsat'), identifier, caveats: caveatBytes, signature });
  return Buffer.from(bin).toString('base64');
}

async function verify(token: string, service: string) {
  const store = new MemoryRootKeyStore();
  await store.put(Buffer.from(TOKEN_ID).toString('hex'), ROOT_KEY);
  const ctx: VerifyContext = { service, nowMs: NOW_MS, method: 'GET', path: '/v1/x' };
  const r = await verifyAuthorization(
    store,
    formatAuthorization({ macaroon: token, preimage: PREIMAGE }),
    ctx,
  );
  return r.ok ? 'ok' : r.error.code;
}

const services = utf8(
  caveats.services([
    { name: 'search', tier: 0 },
    { name: 'llm', tier: 0 },
  ]),
);
const maxCalls = utf8(caveats.maxCalls('search', 5));

describe('caveat values are opaque bytes: one that is not UTF-8 fails only the satisfier that reads it', () => {
  it('a macaroon with a non-UTF-8 caveat parses, keeps its bytes, and re-serializes to the same token', () => {
    const token = tokenWith([services, raw('note')]);
    const mac = Macaroon.fromBase64(token);
    expect(mac.caveatBytes[1]).toEqual(raw('note'));
    expect(mac.toBase64()).toBe(token);
  });

  it.each([
    ['an unknown condition', raw('note'), 'search', 'ok'],
    ["another service's condition, verified for this service", raw('llm_max_calls'), 'search', 'ok'],
    ["another service's condition, verified for that service", raw('llm_max_calls'), 'llm', 'invalid_caveat'],
    ["the called service's own condition", raw('search_max_calls'), 'search', 'invalid_caveat'],
    ['a condition that is itself not UTF-8', Uint8Array.from([0xff, 0x3d, 0x31]), 'search', 'ok'],
  ])('a non-UTF-8 value under %s verifies as %s', async (_name, caveat, service, expected) => {
    expect(await verify(tokenWith([services, maxCalls, caveat]), service)).toBe(expected);
  });

  it('attenuating a token that carries a non-UTF-8 unknown caveat keeps its bytes, and the copy verifies', async () => {
    const copy = attenuate(tokenWith([services, raw('note')]), [caveats.maxCalls('search', 2)]);
    expect(Macaroon.fromBase64(copy).caveatBytes[1]).toEqual(raw('note'));
    expect(await verify(copy, 'search')).toBe('ok');
  });

  it('the holder reads the same limits the verifier applies, past a non-UTF-8 caveat of another service', () => {
    const token = tokenWith([services, raw('llm_max_calls'), maxCalls, utf8('search_max_calls=3')]);
    expect(tokenLimits(token)).toEqual({
      services: [
        { name: 'search', tier: 0 },
        { name: 'llm', tier: 0 },
      ],
      service: 'search',
      maxCalls: 3,
    });
    expect(() => tokenLimits(token, 'llm')).toThrow(/not UTF-8/);
  });
});
