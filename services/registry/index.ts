/** The registry: signed listings, search, health, proven ratings, change feed; HTTP + WebSocket. */
export type * from './types.js';
export {
  Registry,
  listingId,
  type RegistryDeps,
  type SignedListing,
  type SignedRemoval,
} from './registry.js';
export { createRegistryApp, STATUS_OF, type RegistryAppOptions } from './app.js';
export {
  RegistryClient,
  type RegistryClientOptions,
  type CallOptions,
  type ClientResult,
  type ClientFailure,
} from './client.js';
export { REGISTRY_CALL_RETRIES, RETRY_BACKOFF, RETRY_AFTER_LIMIT_MS } from './client-retry.js';
export { defaultAddressPolicy } from './client-answers.js';
export { checkRegistry, originOf, serverOrigins, type RegistryOrigins } from './registry-origin.js';
export {
  keySigner,
  nodeSigner,
  signListing,
  signAction,
  verifyAction,
  signedMessage,
  canonicalJson,
  attestationMemo,
  isValidPubkey,
  SIGNING_DOMAIN,
  type Signer,
  type SignedAction,
} from './signing.js';
export {
  verifyRating,
  signRating,
  type PurchaseProof,
  type RatingRequest,
  type RatingRules,
  type VerifiedRating,
} from './ratings.js';
export {
  searchListings,
  matchesQuery,
  entryPriceMsat,
  searchPriceMsat,
  tierSold,
  DEFAULT_SEARCH_LIMIT,
  type ListingSource,
} from './search.js';
export { ratingRank, RATING_PRIOR_MSAT, RATING_PRIOR_SCORE } from './rating-rank.js';
export { HealthProber, type HealthProberOptions, type ProbeOutcome } from './health.js';
export {
  classifyAddress,
  addressAllowed,
  probeUrlRefusal,
  type AddressPolicy,
  type AddressClass,
} from './address-policy.js';
export {
  createProbeFetch,
  forbiddenAddressIn,
  probeRefusalIn,
  type ForbiddenAddressError,
  type ProbeFetchOptions,
  type ProbeRefusal,
  type ProbeRefusalCode,
} from './probe-fetch.js';
export {
  dnsResolve,
  nameserverRefusal,
  RESOLVE_TIMEOUT_MS,
  type ResolveAll,
  type StoppableResolve,
} from './name-resolution.js';
export { RESOLVING_AT_ONCE } from './host-check.js';
export {
  MemoryRegistryStore,
  COMPACT_FLOOR_BYTES,
  compactionDue,
  emptyRegistryData,
  type RegistryStore,
  type RegistryData,
  type SavedRegistry,
  type JournalEntry,
  type RegistryChange,
} from './store.js';
export { JsonFileRegistryStore, type JsonFileRegistryStoreOptions } from './file-store.js';
export {
  attachRegistryFeed,
  subscribeFeed,
  FEED_PATH,
  type FeedMessage,
  type RegistryFeed,
  type FeedSubscription,
} from './feed.js';
export { startRegistryServer, type RegistryServer, type RegistryServerOptions } from './server.js';
export {
  listingFieldsSchema,
  tierSchema,
  signedListingSchema,
  signedRemovalSchema,
  ratingSchema,
  querySchema,
} from './schema.js';
