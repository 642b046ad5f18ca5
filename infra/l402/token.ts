/**
 * Token-level helpers that need no root key: attenuating a base64 token
 * (what a reseller does before handing a copy to a sub-agent), checking
 * that a caveat chain only narrows, and reading the payment hash a token
 * was minted for (what a buyer matches against an invoice).
 */
import { parseCaveat, SERVICES_CONDITION, CONDITION_SUFFIX } from './caveat.js';
import { toHex } from './bytes.js';
import { decodeIdentifier } from './identifier.js';
import { Macaroon } from './macaroon.js';
import { satisfiersFor, servicesSatisfier, type Satisfier } from './satisfier.js';

const SUFFIXES = Object.values(CONDITION_SUFFIX);

/** The satisfier for a condition of any service, or undefined for caveats we do not know. */
export function satisfierForCondition(condition: string): Satisfier | undefined {
  if (condition === SERVICES_CONDITION) return servicesSatisfier;
  const suffix = SUFFIXES.find((s) => condition.endsWith(s) && condition.length > s.length);
  if (!suffix) return undefined;
  return satisfiersFor(condition.slice(0, -suffix.length)).find((s) => s.condition === condition);
}

/**
 * Checks that every known caveat parses and each repeated condition narrows
 * the one before it, for every service named in the chain. Throws
 * L402Error('invalid_caveat' | 'widening_caveat'); unknown caveats pass.
 */
export function checkCaveatChain(caveatList: readonly string[]): void {
  const last = new Map<string, unknown>();
  for (const text of caveatList) {
    const { condition, value } = parseCaveat(text);
    const satisfier = satisfierForCondition(condition);
    if (!satisfier) continue;
    const parsed = satisfier.parse(value);
    if (last.has(condition)) satisfier.satisfyPrevious(last.get(condition), parsed);
    last.set(condition, parsed);
  }
}

/**
 * Appends caveats to a base64 token and returns the new base64 token. Throws
 * L402Error: 'bad_macaroon' for a bad token, 'invalid_caveat' for a bad
 * caveat, 'widening_caveat' when a caveat would widen an earlier one (the
 * verifier would reject the copy anyway; failing here tells the reseller).
 */
export function attenuate(token: string, caveatList: readonly string[]): string {
  let mac = Macaroon.fromBase64(token);
  for (const c of caveatList) parseCaveat(c);
  checkCaveatChain([...mac.caveats, ...caveatList]);
  for (const c of caveatList) mac = mac.addFirstPartyCaveat(c);
  return mac.toBase64();
}

/** The payment hash (hex) in a token's identifier, without verifying anything. Throws L402Error. */
export function paymentHashOfToken(token: string): string {
  return toHex(decodeIdentifier(Macaroon.fromBase64(token).identifier).paymentHash);
}

/** The token id (hex) in a token's identifier, without verifying anything. Throws L402Error. */
export function tokenIdOfToken(token: string): string {
  return toHex(decodeIdentifier(Macaroon.fromBase64(token).identifier).tokenId);
}
