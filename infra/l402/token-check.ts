/**
 * Steps 4 and 5 of verifying a credential (verify.ts), split where the
 * request comes in. `checkToken` does what depends on the credential, the
 * root key and the service alone: the HMAC chain, and the caveats read and
 * recorded as facts. `grant` does what depends on the request: the last
 * caveat of each kind checked against it. A `TokenCheck` is a pure function
 * of its three inputs, so a caller may keep one and reuse it for the same
 * credential, the same root key (compared byte for byte) and the same service.
 */
import { bytesEqual, toHex } from './bytes.js';
import { readCaveats, serviceSatisfiers } from './caveat-reader.js';
import type { Credential } from './credential.js';
import type { Satisfier, TokenFacts, VerifyContext } from './satisfier.js';
import { LabError } from '../errors.js';

/** A credential's HMAC chain checked from `rootKey` and its caveats read for `service`. */
export interface TokenCheck {
  readonly service: string;
  /** The root key the chain was checked from (a copy). */
  readonly rootKey: Uint8Array;
  /** What the token grants, before the request is looked at; `grant` hands out copies. */
  readonly facts: Readonly<TokenFacts>;
  /** The last occurrence of each known condition, in check order: what the request must satisfy. */
  readonly finals: readonly FinalCaveat[];
}

/** The last occurrence of one condition: its satisfier and parsed value. */
export interface FinalCaveat {
  readonly satisfier: Satisfier;
  readonly value: unknown;
}

/**
 * Computes the HMAC chain of `cred`'s macaroon from `rootKey` and reads its
 * caveats for `service` (each occurrence must narrow the one before it).
 * Throws L402Error: 'bad_signature', 'invalid_caveat', 'widening_caveat'.
 */
export function checkToken(cred: Credential, rootKey: Uint8Array, service: string): TokenCheck {
  const mac = cred.macaroon;
  const chain = mac.signatureChain(rootKey);
  if (!bytesEqual(chain[chain.length - 1]!, mac.signature)) {
    throw new LabError('bad_signature', `macaroon signature does not verify for token ${cred.tokenId}`);
  }
  const facts: TokenFacts = {
    tokenId: cred.tokenId,
    paymentHash: cred.paymentHash,
    preimage: cred.preimage,
    caveats: mac.caveats,
    services: [],
    quotas: [],
    signature: cred.signatureHex,
  };
  // Caveats without '=' and unknown ones (other services, preimage=…) are
  // skipped, as Aperture's VerifyL402 does: the signature already proves
  // nobody removed anything.
  const satisfiers = serviceSatisfiers(service);
  const occurrences = readCaveats(mac.caveatBytes, satisfiers.lookup);
  const finals: FinalCaveat[] = [];
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
    finals.push({ satisfier, value: list[list.length - 1]!.value });
  }
  return { service, rootKey: rootKey.slice(), facts, finals };
}

/** True when `check` was made for this root key and service (and so holds for them). */
export function checkHolds(check: TokenCheck, rootKey: Uint8Array, service: string): boolean {
  return check.service === service && bytesEqual(check.rootKey, rootKey);
}

/** Checks the request against the token's last caveats; returns the token's facts (a fresh copy). Throws L402Error. */
export function grant(check: TokenCheck, ctx: VerifyContext): TokenFacts {
  for (const { satisfier, value } of check.finals) satisfier.satisfyFinal(value, ctx);
  return copyFacts(check.facts);
}

/** A deep copy with the same keys in the same order: every call's facts are the caller's own. */
function copyFacts(f: Readonly<TokenFacts>): TokenFacts {
  const copy: TokenFacts = {
    ...f,
    caveats: [...f.caveats],
    services: f.services.map((s) => ({ ...s })),
    quotas: f.quotas.map((q) => ({ ...q })),
  };
  if (f.capabilities) copy.capabilities = [...f.capabilities];
  if (f.methods) copy.methods = [...f.methods];
  return copy;
}
