/**
 * The server side of L402 tokens: mint a macaroon bound to an invoice's
 * payment hash with a fresh root key, and verify `Authorization` headers
 * against the stored keys. Dependencies (key store, random bytes) are passed in.
 */
import { fromHex, toHex } from './bytes.js';
import { encodeIdentifier } from './identifier.js';
import { Macaroon } from './macaroon.js';
import type { RootKeyStore } from './root-key-store.js';
import type { VerifyContext } from './satisfier.js';
import { checkCaveatChain } from './token.js';
import { verifyAuthorization, type VerifyResult } from './verify.js';
import { CredentialCache } from './credential.js';
import { LabError } from '../errors.js';

/** Aperture's macaroon location; its tokens start `AgEEbHNhdAJC` in base64. */
export const DEFAULT_LOCATION = 'lsat';

/** What `createMinter` needs. */
export interface MinterOptions {
  rootKeys: RootKeyStore;
  /** Source of token ids and root keys: crypto.randomBytes in production, a seeded Rng in tests. */
  randomBytes: (n: number) => Uint8Array;
  location?: string;
}

/** A freshly minted token. */
export interface MintedToken {
  /** Base64 (standard, padded) of the V2 macaroon. */
  token: string;
  macaroon: Macaroon;
  /** Hex token id: the root key's name in the store. */
  tokenId: string;
}

/** Mints and verifies L402 tokens. */
export interface Minter {
  /** Mints a token for the invoice with `paymentHash` (hex), with `caveats` in order. */
  mint(req: { paymentHash: string; caveats: string[] }): Promise<MintedToken>;
  /** Verifies an `Authorization` header value; never throws. */
  verify(authorization: string, ctx: VerifyContext): Promise<VerifyResult>;
}

/**
 * Builds a minter/verifier.
 * @example
 * const minter = createMinter({ rootKeys: new MemoryRootKeyStore(), randomBytes: (n) => crypto.randomBytes(n) });
 * const { token } = await minter.mint({ paymentHash, caveats: [caveats.services([{ name: 'search', tier: 0 }])] });
 * const r = await minter.verify(formatAuthorization({ macaroon: token, preimage }), { service: 'search', nowMs });
 */
export function createMinter({ rootKeys, randomBytes, location = DEFAULT_LOCATION }: MinterOptions): Minter {
  if (!rootKeys || typeof rootKeys.get !== 'function' || typeof rootKeys.put !== 'function') {
    throw new TypeError('createMinter needs a RootKeyStore');
  }
  if (typeof randomBytes !== 'function') throw new TypeError('createMinter needs a randomBytes(n) function');

  const random32 = (what: string): Uint8Array => {
    const b = randomBytes(32);
    if (!(b instanceof Uint8Array) || b.length !== 32) {
      throw new TypeError(
        `randomBytes(32) returned ${b instanceof Uint8Array ? b.length : typeof b} bytes for ${what}`,
      );
    }
    return Uint8Array.from(b);
  };

  // A token's repeated calls are parsed once and their HMAC chain computed once per root key; the root key
  // is looked up, and the request checked against the caveats, on every call.
  const credentials = new CredentialCache(location);
  return {
    async mint({ paymentHash, caveats }) {
      const hash = fromHex(paymentHash, 'payment hash', 'malformed_identifier', 32);
      if (!Array.isArray(caveats))
        throw new LabError('invalid_caveat', 'caveats must be an array of strings');
      checkCaveatChain(caveats);
      const tokenIdBytes = random32('the token id');
      const derived = rootKeys.derive?.(toHex(tokenIdBytes));
      const rootKey = derived ?? random32('the root key');
      let macaroon = Macaroon.mint({
        rootKey,
        identifier: encodeIdentifier({ paymentHash: hash, tokenId: tokenIdBytes }),
        location,
      });
      for (const c of caveats) macaroon = macaroon.addFirstPartyCaveat(c);
      const tokenId = toHex(tokenIdBytes);
      // A derived key is found again from the token id: nothing to store for a challenge never paid.
      if (!derived) await rootKeys.put(tokenId, rootKey);
      return { token: macaroon.toBase64(), macaroon, tokenId };
    },
    verify(authorization, ctx) {
      return verifyAuthorization(rootKeys, authorization, ctx, { location, credentials });
    },
  };
}
