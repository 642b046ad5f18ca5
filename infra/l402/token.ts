/**
 * Token-level helpers that need no root key: attenuating a base64 token
 * (what a reseller does before handing a copy to a sub-agent), checking
 * that a caveat chain only narrows, reading the limits a token carries, and
 * reading the payment hash a token was minted for (what a buyer matches
 * against an invoice). All caveats are read by `readCaveats`.
 */
import { parseCaveat, SERVICES_CONDITION, type ServiceTier } from './caveat.js';
import { caveatBytes, readCaveats, satisfierForCondition, satisfiersOf } from './caveat-reader.js';
import { toHex } from './bytes.js';
import { decodeIdentifier } from './identifier.js';
import { Macaroon } from './macaroon.js';
import type { TokenFacts } from './satisfier.js';

/**
 * Checks that every caveat is well formed (`condition=value`), every known
 * one parses and each repeated condition narrows the one before it, for
 * every service named in the chain. Throws L402Error('invalid_caveat' |
 * 'widening_caveat'); unknown caveats pass.
 */
export function checkCaveatChain(caveatList: readonly string[]): void {
  for (const c of caveatList) parseCaveat(c);
  readCaveats(caveatList.map(caveatBytes), satisfierForCondition);
}

/**
 * Appends caveats to a base64 token and returns the new base64 token. Throws
 * L402Error: 'bad_macaroon' for a bad token, 'invalid_caveat' for a bad
 * caveat, 'widening_caveat' when a caveat would widen an earlier one (the
 * verifier would reject the copy anyway; failing here tells the reseller).
 * The token's own caveats are read as the verifier reads them (bytes).
 */
export function attenuate(token: string, caveatList: readonly string[]): string {
  let mac = Macaroon.fromBase64(token);
  for (const c of caveatList) parseCaveat(c);
  readCaveats([...mac.caveatBytes, ...caveatList.map(caveatBytes)], satisfierForCondition);
  for (const c of caveatList) mac = mac.addFirstPartyCaveat(c);
  return mac.toBase64();
}

/** What a token's caveats allow, as the verifier would read them for its service. */
export interface TokenLimits {
  /** The services of the last `services` caveat. */
  services: ServiceTier[];
  /** The service the limits are for: the one asked for, else the first listed. */
  service?: string;
  validUntilMs?: number;
  /** The smallest `<service>_max_calls` in the chain (every occurrence is a quota). */
  maxCalls?: number;
  pathPrefix?: string;
  methods?: string[];
  capabilities?: string[];
  /** The negotiated price the token was sold for (`<service>_price`). */
  priceMsat?: number;
}

/**
 * Reads the limits a token carries for `service` (default: the first service
 * its `services` caveat lists) without verifying it: the holder has no root
 * key, but reads the chain with the verifier's reader, so the limits are
 * the ones the verifier will apply. Throws L402Error ('bad_macaroon',
 * 'invalid_caveat', 'widening_caveat') for a token the verifier would refuse.
 */
export function tokenLimits(token: string, service?: string): TokenLimits {
  return keptLimits(token, service, () => Macaroon.fromBase64(token));
}

/**
 * A quoted token as a buyer reads it, decoded once: its payment hash (throws L402Error when the
 * token or its identifier does not decode) and `tokenLimits(token)`, kept as that keeps them;
 * `limits` is absent when the verifier would refuse a caveat.
 */
export function readQuotedToken(token: string): { paymentHash: string; limits?: TokenLimits } {
  const mac = Macaroon.fromBase64(token);
  const paymentHash = paymentHashOf(mac);
  try {
    return { paymentHash, limits: keptLimits(token, undefined, () => mac) };
  } catch {
    return { paymentHash };
  }
}

/** The kept limits of (token, service), read from `decoded()` on a miss. */
function keptLimits(token: string, service: string | undefined, decoded: () => Macaroon): TokenLimits {
  // Length-prefixed service: no token text and service name can give another pair's key.
  const key = `${service === undefined ? -1 : service.length}:${service ?? ''}:${token}`;
  const kept = limitsRead.get(key);
  if (kept) return kept;
  const limits = frozen(readLimits(decoded(), service));
  if (limitsRead.size >= LIMITS_KEPT) limitsRead.delete(limitsRead.keys().next().value!);
  limitsRead.set(key, limits);
  return limits;
}

/**
 * Tokens whose limits are kept read (the oldest leaves when full): a token's
 * limits depend on its text alone, so a holder reading them for every call
 * decodes the token once. Only tokens that read cleanly are kept.
 */
export const LIMITS_KEPT = 1024;
const limitsRead = new Map<string, TokenLimits>();

/** Shared by every reader of a kept entry, so nobody may change it. */
function frozen(limits: TokenLimits): TokenLimits {
  for (const list of [limits.services, limits.methods, limits.capabilities]) if (list) Object.freeze(list);
  for (const s of limits.services) Object.freeze(s);
  return Object.freeze(limits);
}

function readLimits(mac: Macaroon, service: string | undefined): TokenLimits {
  const chain = mac.caveatBytes;
  const listed = readCaveats(chain, (c) => (c === SERVICES_CONDITION ? satisfierForCondition(c) : undefined));
  const services = (listed.get(SERVICES_CONDITION)?.at(-1)?.value as ServiceTier[] | undefined) ?? [];
  const name = service ?? services[0]?.name;
  if (name === undefined) return { services };
  const facts: TokenFacts = {
    tokenId: '',
    paymentHash: '',
    preimage: '',
    caveats: [],
    services,
    quotas: [],
    signature: '',
  };
  for (const list of readCaveats(chain, satisfiersOf(name)).values())
    list.forEach((o, i) =>
      o.satisfier.record(
        o.value,
        facts,
        { tokenId: '', signatureHex: String(o.index) },
        i === list.length - 1,
      ),
    );
  const calls = facts.quotas.map((q) => q.limit);
  return {
    services,
    service: name,
    ...(facts.validUntilMs !== undefined ? { validUntilMs: facts.validUntilMs } : {}),
    ...(calls.length ? { maxCalls: Math.min(...calls) } : {}),
    ...(facts.pathPrefix !== undefined ? { pathPrefix: facts.pathPrefix } : {}),
    ...(facts.methods ? { methods: facts.methods } : {}),
    ...(facts.capabilities ? { capabilities: facts.capabilities } : {}),
    ...(facts.priceMsat !== undefined ? { priceMsat: facts.priceMsat } : {}),
  };
}

/** The payment hash (hex) in a token's identifier, without verifying anything. Throws L402Error. */
export function paymentHashOfToken(token: string): string {
  return paymentHashOf(Macaroon.fromBase64(token));
}

function paymentHashOf(mac: Macaroon): string {
  return toHex(decodeIdentifier(mac.identifier).paymentHash);
}

/** The token id (hex) in a token's identifier, without verifying anything. Throws L402Error. */
export function tokenIdOfToken(token: string): string {
  return toHex(decodeIdentifier(Macaroon.fromBase64(token).identifier).tokenId);
}
