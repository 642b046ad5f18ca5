/** The L402 protocol core: identifier, macaroon, caveats, headers, mint and verify. Bytes in, bytes out. */
export { L402_ERROR_CODES, isL402Error, type L402Error, type L402ErrorCode } from './errors.js';
export {
  encodeIdentifier,
  decodeIdentifier,
  IDENTIFIER_LENGTH,
  IDENTIFIER_VERSION,
  type Identifier,
} from './identifier.js';
export { Macaroon, deriveMacaroonKey } from './macaroon.js';
export { MAX_CAVEATS } from './macaroon-binary.js';
export {
  parseCaveat,
  formatCaveat,
  caveats,
  parseServices,
  pathWithin,
  hasDotSegmentOrEncoding,
  SERVICES_CONDITION,
  CONDITION_SUFFIX,
  type Caveat,
  type ServiceTier,
} from './caveat.js';
export { requestPath } from './request-path.js';
export {
  satisfiersFor,
  servicesSatisfier,
  MAX_QUOTA_CAVEATS,
  type Satisfier,
  type VerifyContext,
  type TokenFacts,
  type Quota,
  type CaveatStep,
} from './satisfier.js';
export {
  attenuate,
  checkCaveatChain,
  paymentHashOfToken,
  readQuotedToken,
  tokenIdOfToken,
  tokenLimits,
  type TokenLimits,
} from './token.js';
export {
  readCaveats,
  satisfierForCondition,
  satisfiersOf,
  type CaveatOccurrence,
  type SatisfierLookup,
} from './caveat-reader.js';
export {
  parseChallenges,
  formatChallenge,
  parseAuthorization,
  formatAuthorization,
  MAX_HEADER_LENGTH,
  type Challenge,
  type Authorization,
  type L402Scheme,
} from './header.js';
export { splitAuthorization, severalCredentials } from './authorization-split.js';
export { DerivedRootKeyStore, MemoryRootKeyStore, type RootKeyStore } from './root-key-store.js';
export {
  createMinter,
  DEFAULT_LOCATION,
  type Minter,
  type MinterOptions,
  type MintedToken,
} from './minter.js';
export { verifyAuthorization, type VerifyResult, type VerifyOptions } from './verify.js';
export { CredentialCache, readCredential, type Credential } from './credential.js';
