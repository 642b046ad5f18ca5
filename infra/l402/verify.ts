/**
 * Verification of an `Authorization` header against a root-key store, in the
 * order L402.md fixes: identifier → sha256(preimage) == payment_hash → root
 * key by token id → HMAC chain → satisfiers. Stateless: quotas are reported
 * in the facts, the paywall counts them.
 */
import { readCredential, type CredentialCache } from './credential.js';
import type { RootKeyStore } from './root-key-store.js';
import type { TokenFacts, VerifyContext } from './satisfier.js';
import { checkToken, grant } from './token-check.js';
import { isLabError, LabError } from '../errors.js';
import { isL402Error, type L402Error } from './errors.js';

/**
 * The root-key store did not answer (a remote store's timeout, a lost
 * connection): the credential is neither good nor bad, only unchecked. Its
 * message is fixed (the store's own error is the `cause`, for the log): ask
 * again later with the same credential, never sell a new token for it.
 */
export type KeyStoreUnavailable = LabError<'key_store_unavailable'>;

/** The outcome of a verification: facts on success, a coded error otherwise. */
export type VerifyResult =
  { ok: true; token: TokenFacts } | { ok: false; error: L402Error | KeyStoreUnavailable };

/** Options of `verifyAuthorization`. */
export interface VerifyOptions {
  /** When set, a macaroon minted at another location is refused ('bad_macaroon'). */
  location?: string;
  /** Credentials already read, by their text (for `location`): a token's repeated calls are parsed once. */
  credentials?: CredentialCache;
}

/**
 * Verifies an `Authorization` value; never throws for a bad credential or a
 * root-key store that fails (`{ok:false}`, the latter `key_store_unavailable`).
 */
export async function verifyAuthorization(
  rootKeys: RootKeyStore,
  authorization: string,
  ctx: VerifyContext,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  // A cache read for another location would skip the location check: a caller's bug, not a bad credential.
  if (options.credentials && options.credentials.location !== options.location)
    throw new TypeError(
      `credentials cached for location ${options.credentials.location} cannot verify for ${options.location}`,
    );
  try {
    return { ok: true, token: await verifyOrThrow(rootKeys, authorization, ctx, options) };
  } catch (e) {
    if (isL402Error(e) || isLabError(e, 'key_store_unavailable')) return { ok: false, error: e };
    throw e; // a bug of the core or its caller (as the TypeError above), never the credential's fault
  }
}

async function verifyOrThrow(
  rootKeys: RootKeyStore,
  authorization: string,
  ctx: VerifyContext,
  { location, credentials }: VerifyOptions,
): Promise<TokenFacts> {
  if (typeof ctx?.service !== 'string' || !Number.isFinite(ctx.nowMs)) {
    throw new LabError('binding_mismatch', 'verify context needs a service name and a finite nowMs');
  }
  // Header, macaroon, location, 1. identifier, 2. preimage: the text's own checks (credential.ts).
  const cred = credentials ? credentials.read(authorization) : readCredential(authorization, location);
  // 3. root key: looked up on every call, so a revoked token is refused on its next call.
  const rootKey = await rootKeyOf(rootKeys, cred.tokenId);
  if (!rootKey)
    throw new LabError('unknown_token', `no root key for token ${cred.tokenId} (unknown or revoked)`);
  // 4. HMAC chain and the caveats read, kept with a cached credential for the same root key and service.
  const check = credentials
    ? credentials.check(cred, rootKey, ctx.service)
    : checkToken(cred, rootKey, ctx.service);
  // 5. the last caveat of each kind against the request
  return grant(check, ctx);
}

/** The token's root key; a store that throws is `key_store_unavailable`, never a missing key. */
async function rootKeyOf(rootKeys: RootKeyStore, tokenId: string): Promise<Uint8Array | undefined> {
  try {
    return await rootKeys.get(tokenId);
  } catch (e) {
    throw new LabError(
      'key_store_unavailable',
      `the root key store did not answer, so token ${tokenId} could not be checked; retry later with the same token`,
      { cause: e },
    );
  }
}
