import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Macaroon,
  MemoryRootKeyStore,
  attenuate,
  caveats,
  createMinter,
  encodeIdentifier,
  formatCaveat,
} from '../../infra/l402/index.js';
import { MAX_CAVEATS, decodeV2, encodeV2 } from '../../infra/l402/macaroon-binary.js';

const ROOT_KEY = new Uint8Array(32).fill(7);
const PAYMENT_HASH = createHash('sha256').update(Buffer.alloc(32, 1)).digest('hex');
const IDENTIFIER = encodeIdentifier({
  paymentHash: Buffer.from(PAYMENT_HASH, 'hex'),
  tokenId: new Uint8Array(32).fill(2),
});
const nonces = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => formatCaveat({ condition: 'nonce', value: String(from + i) }));

/** A macaroon signed with ROOT_KEY carrying `list`, added one by one. */
function withCaveats(list: string[]): Macaroon {
  let mac = Macaroon.mint({ rootKey: ROOT_KEY, identifier: IDENTIFIER, location: 'lsat' });
  for (const c of list) mac = mac.addFirstPartyCaveat(c);
  return mac;
}

/** V2 bytes of `mac` with `extra` more caveats appended (signature unchanged): what a forger sends. */
function forgedBytes(mac: Macaroon, extra: number): Uint8Array {
  const caveatBytes = [...mac.caveatBytes, ...nonces(extra, 1000).map((c) => new TextEncoder().encode(c))];
  return encodeV2({
    location: new TextEncoder().encode(mac.location),
    identifier: mac.identifier,
    caveats: caveatBytes,
    signature: mac.signature,
  });
}

function errorOf(fn: () => unknown): { code: unknown; message: string } | string {
  try {
    fn();
  } catch (e) {
    return { code: (e as { code?: unknown }).code, message: (e as Error).message };
  }
  return 'no error';
}

const refusedOnRead = (n: number) => ({
  code: 'bad_macaroon',
  message: `macaroon carries ${n} caveats, more than the 64 this reader accepts; attenuate from a copy with fewer`,
});
const refusedOnAdd = (n: number) => ({
  code: 'invalid_caveat',
  message: `cannot add caveat ${n}: a macaroon carries at most 64 caveats (MAX_CAVEATS), more is refused when read; attenuate from a copy with fewer`,
});

describe('a macaroon carries at most MAX_CAVEATS (64) caveats', () => {
  it('MAX_CAVEATS is 64', () => {
    expect(MAX_CAVEATS).toBe(64);
  });

  it('a macaroon with 64 caveats decodes to all 64 and verifies; with 65 it is bad_macaroon naming 65 and 64', () => {
    const full = withCaveats(nonces(64));
    const read = Macaroon.fromBase64(full.toBase64());
    expect(read.caveats).toEqual(nonces(64));
    expect(read.verifySignature(ROOT_KEY)).toBe(true);
    expect(Buffer.from(read.toBinary()).equals(Buffer.from(full.toBinary()))).toBe(true);

    const over = forgedBytes(full, 1);
    expect(errorOf(() => decodeV2(over))).toEqual(refusedOnRead(65));
    expect(errorOf(() => Macaroon.fromBinary(over))).toEqual(refusedOnRead(65));
    expect(errorOf(() => Macaroon.fromBase64(Buffer.from(over).toString('base64')))).toEqual(
      refusedOnRead(65),
    );
  });

  it("a forged macaroon with 3,000 one-byte caveats is bad_macaroon naming all 3,000 (the red team's token)", () => {
    const bytes = encodeV2({
      location: new TextEncoder().encode('lsat'),
      identifier: IDENTIFIER,
      caveats: Array.from({ length: 3000 }, () => new Uint8Array([0x61])),
      signature: new Uint8Array(32),
    });
    expect(errorOf(() => Macaroon.fromBinary(bytes))).toEqual(refusedOnRead(3000));
  });

  it('addFirstPartyCaveat adds the 64th caveat and refuses the 65th with invalid_caveat', () => {
    const at63 = withCaveats(nonces(63));
    const at64 = at63.addFirstPartyCaveat('nonce=63');
    expect(at64.caveats).toHaveLength(64);
    expect(errorOf(() => at64.addFirstPartyCaveat('nonce=64'))).toEqual(refusedOnAdd(65));
  });

  it('attenuate takes a 60-caveat token to 64 and refuses to take it to 65', () => {
    const token = withCaveats(nonces(60)).toBase64();
    const to64 = attenuate(token, nonces(4, 60));
    expect(Macaroon.fromBase64(to64).caveats).toEqual(nonces(64));
    expect(errorOf(() => attenuate(token, nonces(5, 60)))).toEqual(refusedOnAdd(65));
  });

  it('minter.mint with 65 caveats is refused with invalid_caveat and stores no root key; with 64 its token reads back', async () => {
    const rootKeys = new MemoryRootKeyStore();
    let seed = 0;
    const minter = createMinter({ rootKeys, randomBytes: (n) => new Uint8Array(n).fill(++seed) });
    const list = [caveats.services([{ name: 'search', tier: 0 }]), ...nonces(64)];
    await expect(minter.mint({ paymentHash: PAYMENT_HASH, caveats: list })).rejects.toMatchObject(
      refusedOnAdd(65),
    );
    expect(rootKeys.size).toBe(0);
    const { token } = await minter.mint({ paymentHash: PAYMENT_HASH, caveats: list.slice(0, 64) });
    expect(Macaroon.fromBase64(token).caveats).toEqual(list.slice(0, 64));
    expect(rootKeys.size).toBe(1);
  });
});
