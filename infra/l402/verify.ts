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
import { LabError } from '../errors.js';
import { isL402Error, type L402Error } from './errors.js';

/** The outcome of a verification: facts on success, a coded error otherwise. */
export type VerifyResult = { ok: true; token: TokenFacts } | { ok: false; error: L402Error };

/** Options of `verifyAuthorization`. */
export interface VerifyOptions {
  /** When set, a macaroon minted at another location is refused ('bad_macaroon'). */
  location?: string;
  /** Credentials already read, by their text (for `location`): a token's repeated calls are parsed once. */
  credentials?: CredentialCache;
}

/** Verifies an `Authorization` value; never throws for a bad credential (any failure is `{ok:false}`). */
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
    if (isL402Error(e)) return { ok: false, error: e };
    // Only a broken RootKeyStore gets here: report it as a failed check, keep the cause.
    return {
      ok: false,
      error: new LabError('unknown_token', `root key lookup failed: ${String(e)}`, { cause: e }),
    };
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
  const rootKey = await rootKeys.get(cred.tokenId);
  if (!rootKey)
    throw new LabError('unknown_token', `no root key for token ${cred.tokenId} (unknown or revoked)`);
  // 4. HMAC chain and the caveats read, kept with a cached credential for the same root key and service.
  const check = credentials
    ? credentials.check(cred, rootKey, ctx.service)
    : checkToken(cred, rootKey, ctx.service);
  // 5. the last caveat of each kind against the request
  return grant(check, ctx);
}
