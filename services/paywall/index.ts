/** The L402 paywall: one Hono middleware per paid route, plus the discovery manifest. */
export { l402Paywall, type L402Paywall } from './paywall.js';
export {
  resolveTiers,
  type L402PaywallOptions,
  type L402Variables,
  type PaywallLoad,
  type PaywallTier,
  type Price,
} from './options.js';
export type { ResolvedTier } from './tier.js';
export type { PaywallEvent, PaywallEventListener, RejectReason } from './events.js';
export {
  MemoryQuotaStore,
  type QuotaStore,
  type QuotaStoreLimits,
  type QuotaResult,
  type ReleaseResult,
  type QuotaSubject,
} from './quota-store.js';
export { DEFAULT_HOLD_REFUND_RATE, markNotRun } from './give-back.js';
export { TokenBucketLimiter, type RateLimit, type RateDecision } from './rate-limiter.js';
export {
  PAY_ON_SUCCESS_HEADER,
  PAYER_LOCK_HEADER,
  PAYER_KEY_HEADER,
  RELEASE_HEADER,
  TIER_HEADER,
  CALLS_REMAINING_HEADER,
  headerFlag,
  parseHoldAuthorization,
} from './headers.js';
export {
  MANIFEST_PATH,
  MANIFEST_VERSION,
  buildManifest,
  caveatVocabulary,
  manifestHandler,
  type L402Manifest,
  type ManifestService,
  type ManifestTier,
  type ManifestCaveat,
  type ManifestSpec,
} from './manifest.js';
export {
  BID_HEADER,
  OFFER_HEADER,
  type NegotiationOptions,
  type NegotiationTurn,
  type SellerNegotiator,
  type SellerReply,
} from './negotiation-types.js';
export { MAX_ROUNDS_LIMIT, MAX_OFFER_LIFETIME_SEC, DEFAULT_NEGOTIATOR_RATE } from './negotiation-options.js';
export { signOffer, verifyOffer, MAX_OFFER_TOKEN_LENGTH, type OfferTerms } from './offer-token.js';
