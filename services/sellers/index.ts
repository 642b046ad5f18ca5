/** Seller archetypes on the L402 paywall: data feed, compute, LLM summary, and adversarial modes. */
export { createSeller, type Seller, type SellerDeps } from './seller.js';
export {
  openSellerState,
  ROOT_KEY_FILE,
  QUOTAS_FILE,
  type SellerState,
  type SellerStateErrorCode,
} from './seller-state.js';
export {
  parseSellerConfig,
  sellerConfigConflicts,
  sellerConfigSchema,
  tierBasePrice,
  tierCalls,
  tierName,
  unitPriceMsat,
  ARCHETYPES,
  type SellerConfig,
  type SellerConfigInput,
  type SellerTier,
  type PriceStrategy,
  type LatencySpec,
} from './config.js';
export {
  configNegotiation,
  negotiationConfigSchema,
  paywallNegotiation,
  perMsRate,
  perSecRateSchema,
  type NegotiationConfig,
  type PerSecRate,
} from './negotiation.js';
export { ruleSeller, sellerFloorMsat, type RuleSellerOptions } from './rule-negotiator.js';
export { drawLatencyMs, typicalLatencyMs, capacityGate, type CapacityGate } from './behaviour.js';
export { stats, type Stats } from './compute.js';
export type { Anomaly } from './data-feed.js';
export {
  createSummarizer,
  extractiveSummarizer,
  sentences,
  type Summarizer,
  type OpenAiEnv,
} from './summarizer.js';
export type { Archetype, ArchetypeDeps } from './archetype.js';
export {
  nextPrice,
  priceBounds,
  pricingStrategySchema,
  type PricingStrategy,
  type PricingObservation,
  type PriceBounds,
  type PricingMove,
} from './pricing.js';
