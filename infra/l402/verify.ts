/**
 * Verification of an `Authorization` header against a root-key store, in the
 * order L402.md fixes: identifier → sha256(preimage) == payment_hash → root
 * key by token id → HMAC chain → satisfiers. Stateless: quotas are reported
 * in the facts, the paywall counts them.
 */
import { createHash } from 'node:crypto';
import { bytesEqual, fromHex, toHex } from './bytes.js';
import { parseAuthorization } from './header.js';
import { decodeIdentifier } from './identifier.js';
import { Macaroon } from './macaroon.js';
import type { RootKeyStore } from './root-key-store.js';
import { readCaveats, satisfiersOf } from './caveat-reader.js';
import { satisfiersFor, type TokenFacts, type VerifyContext } from './satisfier.js';
import { LabError } from '../errors.js';
import { isL402Error, type L402Error } from './errors.js';

/** The outcome of a verification: facts on success, a coded error otherwise. */
export type VerifyResult = { ok: true; token: TokenFacts } | { ok: false; error: L402Error };

/** Options of `verifyAuthorization`. */
export interface VerifyOptions {
  /** When set, a macaroon minted at another location is refused ('bad_macaroon'). */
  location?: string;
}

/** Verifies an `Authorization` value; never throws (any failure is `{ok:false}`). */
export async function verifyAuthorization(
  rootKeys: RootKeyStore,
  authorization: string,
  ctx: VerifyContext,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
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
  { location }: VerifyOptions,
): Promise<TokenFacts> {
  if (typeof ctx?.service !== 'string' || !Number.isFinite(ctx.nowMs)) {
    throw new LabError('binding_mismatch', 'verify context needs a service name and a finite nowMs');
  }
  const auth = parseAuthorization(authorization);
  if (auth.macaroons.length !== 1) {
    throw new LabError('bad_macaroon', `expected one macaroon, got ${auth.macaroons.length} (no discharges)`);
  }
  const mac = Macaroon.fromBase64(auth.macaroons[0]!);
  // The location is the one part of a macaroon the HMAC does not cover; a
  // server knows where it mints, so a changed location is a changed token.
  if (location !== undefined && mac.location !== location) {
    throw new LabError(
      'bad_macaroon',
      `macaroon location ${JSON.stringify(mac.location)} is not ${JSON.stringify(location)}`,
    );
  }

  // 1. identifier
  const id = decodeIdentifier(mac.identifier);
  // 2. preimage
  const preimage = fromHex(auth.preimage, 'preimage', 'malformed_header', 32);
  const hash = new Uint8Array(createHash('sha256').update(preimage).digest());
  if (!bytesEqual(hash, id.paymentHash)) {
    throw new LabError(
      'wrong_preimage',
      `sha256(preimage) is not the token's payment hash ${toHex(id.paymentHash)}`,
    );
  }
  // 3. root key
  const tokenId = toHex(id.tokenId);
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
    paymentHash: toHex(id.paymentHash),
    preimage: auth.preimage,
    caveats: mac.caveats,
    services: [],
    quotas: [],
    signature: toHex(mac.signature),
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
  const occurrences = readCaveats(caveatList, satisfiersOf(ctx.service));
  for (const satisfier of satisfiersFor(ctx.service)) {
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
