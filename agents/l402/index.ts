export * from './outcome.js';
export { createL402Client, type L402Client, type L402ClientOptions, type L402RequestInit } from './client.js';
export {
  DEFAULT_MAX_PRICE_MSAT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
} from './engine-context.js';
export {
  createPurchaseEngine,
  type PurchaseEngine,
  type PurchaseEngineOptions,
  type Held,
  type Probe,
  type Lease,
} from './engine.js';
export {
  checkInvoice,
  INVOICE_EXPIRY_MARGIN_MS,
  type InvoiceCheck,
  type InvoiceExpectations,
} from './invoice-check.js';
export {
  countHandedDown,
  MemoryTokenStore,
  tokenUsable,
  type StoredToken,
  type TokenStore,
} from './token-store.js';
export { FileTokenStore } from './file-token-store.js';
export { bindingOf, outsideBinding, tokenCovers } from './token-binding.js';
export {
  chooseChallenge,
  readPaywallAnswer,
  sellerCode,
  PAY_ON_SUCCESS,
  type PaywallAnswer,
} from './paywall-response.js';
export { prepareRequest, sendInit, type PreparedRequest } from './request.js';
export type { StepFailure } from './context.js';
export type { Offer, AdvertisedPrice } from './offer.js';
export type { Grant, PaidOffer, PayFailure } from './payment.js';
export { takeRecovered, type RecoveredCost } from './recovery.js';
export { sellerCallsLeft, type Delivery } from './delivery.js';
export { l402FetchTool, l402FetchSchema } from './tool.js';
export {
  MAX_BUYER_ROUNDS,
  type BuyerMove,
  type BuyerNegotiator,
  type BuyerTurn,
  type Negotiated,
  type NegotiationRecord,
} from './negotiate.js';
