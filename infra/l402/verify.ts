/**
 * Verification of an `Authorization` header against a root-key store, in the
 * order L402.md fixes: identifier → sha256(preimage) == payment_hash → root
 * key by token id → HMAC chain → satisfiers. Stateless: quotas are reported
 * in the facts, the paywall counts them.
 */
import { bytesEqual, toHex } from './bytes.js';
import { readCredential, type CredentialCache } from './credential.js';
import type { RootKeyStore } from './root-key-store.js';
import { readCaveats, serviceSatisfiers } from './caveat-reader.js';
import type { TokenFacts, VerifyContext } from './satisfier.js';
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
  const mac = cred.macaroon;
  const tokenId = cred.tokenId;
  // 3. root key
  const rootKey = await rootKeys.get(tokenId);
  if (!rootKey) throw new LabError('unknown_token', `no root key for token ${tokenId} (unknown or revoked)`);
  // 4. HMAC chain
  const chain = mac.signatureChain(rootKey);
  if (!bytesEqual(chain[chain.length - 1]!, mac.signature)) {
    throw new LabError('bad_signature', `macaroon signature does not verify for token ${tokenId}`);
  }
  // 5. satisfiers
  const facts: TokenFacts = {
    tokenId,
    paymentHash: cred.paymentHash,
    preimage: cred.preimage,
    caveats: mac.caveats,
    services: [],
    quotas: [],
    signature: cred.signatureHex,
  };
  runSatisfiers(mac.caveatBytes, chain, facts, ctx);
  return facts;
}

/** Reads every caveat of the called service in chain order (the one reader), then checks the last of each against the request. */
function runSatisfiers(
  caveatList: Uint8Array[],
  chain: Uint8Array[],
  facts: TokenFacts,
  ctx: VerifyContext,
): void {
  // Caveats without '=' and unknown ones (other services, preimage=…) are
  // skipped, as Aperture's VerifyL402 does: the signature already proves
  // nobody removed anything.
  const satisfiers = serviceSatisfiers(ctx.service);
  const occurrences = readCaveats(caveatList, satisfiers.lookup);
  for (const satisfier of satisfiers.list) {
    const list = occurrences.get(satisfier.condition);
    if (!list) continue;
    list.forEach((o, i) =>
      satisfier.record(
        o.value,
        facts,
        { tokenId: facts.tokenId, signatureHex: toHex(chain[o.index + 1]!) },
        i === list.length - 1,
      ),
    );
    satisfier.satisfyFinal(list[list.length - 1]!.value, ctx);
  }
}
